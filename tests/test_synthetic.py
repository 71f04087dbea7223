"""The synthetic corpus used by bench/ is deterministic and passes our shapes, like the real one."""

import sys
from pathlib import Path

from kg.build import ontology_graph, rebaser
from kg.config import Config
from kg.store import content_digest, nquads_chunks, prepare
from kg.triples import make_quads
from kg.validation import load_shapes, validate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from synthetic import synthetic_corpus  # noqa: E402


def test_synthetic_corpus_is_deterministic_and_conforms():
    config = Config()
    a = make_quads(synthetic_corpus(2, seed=7), config.base_iri)
    b = make_quads(synthetic_corpus(2, seed=7), config.base_iri)
    named = prepare(a.quads).named
    assert content_digest(nquads_chunks(named)) == content_digest(nquads_chunks(prepare(b.quads).named))
    # the digest is of the content, not of its order, and sees a quad less
    assert content_digest(nquads_chunks(named[::-1])) == content_digest(nquads_chunks(named))
    assert content_digest(nquads_chunks(named[1:])) != content_digest(nquads_chunks(named))
    from rdflib import Graph
    data = Graph()
    for s, p, o, _ in a.quads:
        data.add((s, p, o))
    data += ontology_graph(config)
    report = validate(data, load_shapes(config.shapes_dir, rebaser(config.base_iri)), a.origin)
    assert report.conforms, report.text()[:2000]
    assert len(a.quads) > 2000


def test_every_named_query_has_an_answer_on_the_smallest_synthetic_corpus():
    from kg.build import quads_with_ontology
    from kg.queries import catalogue
    from kg.store import memory_store
    config = Config()
    quads, _ = quads_with_ontology(synthetic_corpus(2, seed=0), config)
    store = memory_store(quads.quads)      # as kg build writes it
    # the competency questions (cq-…) are read off the five texts, not timed on a synthetic corpus
    empty = [name for name, q in catalogue(config.queries_dir).items()
             if not name.startswith("cq-") and not list(store.query(q.text))]
    assert empty == []
