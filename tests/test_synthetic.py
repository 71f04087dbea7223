"""The synthetic corpus used by bench/ is deterministic and passes our shapes, like the real one."""

from kg.build import ontology_graph, rebaser
from kg.config import Config
from bench.synthetic import synthetic_corpus
from kg.triples import content_digest, make_quads
from kg.validation import load_shapes, validate


def test_synthetic_corpus_is_deterministic_and_conforms():
    config = Config()
    a = make_quads(synthetic_corpus(2, seed=7), config.base_iri)
    b = make_quads(synthetic_corpus(2, seed=7), config.base_iri)
    assert content_digest(a) == content_digest(b)
    from rdflib import Graph
    data = Graph()
    for s, p, o, _ in a.quads:
        data.add((s, p, o))
    data += ontology_graph(config)
    report = validate(data, load_shapes(config.shapes_dir, rebaser(config.base_iri)), a.origin)
    assert report.conforms, report.text()[:2000]
    assert len(a.quads) > 2000
