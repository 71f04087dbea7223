"""Every kg: term used anywhere is declared in ontology/, with a label, a comment and isDefinedBy."""

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS

from kg import __version__
from kg.config import PROJECT_ROOT, Config
from kg.build import ontology_graph

KG = "https://w3id.org/soviets/ontology#"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph(Config())


def used_terms() -> set[str]:
    names = set()
    for folder, pattern in (("shapes", "*.ttl"), ("queries", "*.rq")):
        for path in (PROJECT_ROOT / folder).glob(pattern):
            names |= set(re.findall(r"\bkg:([A-Za-z][A-Za-z0-9]*)", path.read_text(encoding="utf-8")))
    return names


def emitted_terms(built) -> set[str]:
    import pyoxigraph as ox
    config, _ = built
    from kg.store import open_store
    out = set()
    for q in open_store(config.data_dir):
        if not isinstance(q.graph_name, ox.NamedNode) or q.graph_name.value.endswith("graph/ontology"):
            continue                 # the default graph repeats the named graphs' triples
        for t in (q.subject, q.predicate, q.object):
            if isinstance(t, ox.NamedNode) and t.value.startswith(KG):
                out.add(t.value[len(KG):])
    return out


def test_header_carries_version_and_licence(ontology):
    onto = URIRef("https://w3id.org/soviets/ontology")
    assert str(ontology.value(onto, OWL.versionInfo)) == __version__
    assert str(ontology.value(onto, OWL.versionIRI)).endswith(__version__)
    assert ontology.value(onto, URIRef("http://purl.org/dc/terms/license")) is not None


def test_every_used_term_is_declared(ontology, built_corpus):
    declared = {str(s)[len(KG):] for s in ontology.subjects() if str(s).startswith(KG)}
    missing = (used_terms() | emitted_terms(built_corpus)) - declared
    assert not missing, f"used but not declared in ontology/: {sorted(missing)}"


def test_every_declared_term_has_label_comment_and_is_defined_by(ontology):
    problems = []
    for s in set(ontology.subjects()):
        if not str(s).startswith(KG):
            continue
        for p in (RDFS.label, RDFS.comment, RDFS.isDefinedBy):
            if ontology.value(s, p) is None:
                problems.append(f"{s} lacks {p}")
    assert not problems, problems[:10]


def test_vocabulary_names_are_ontology_terms(ontology):
    from kg.vocabulary import ALL_CLASSES, PREDICATES
    declared = {str(s)[len(KG):] for s in ontology.subjects() if str(s).startswith(KG)}
    assert set(PREDICATES) <= declared
    assert ALL_CLASSES <= declared


def test_alignments_to_standard_vocabularies_are_stated(ontology):
    text = "\n".join(p.read_text() for p in Path(PROJECT_ROOT / "ontology").rglob("*.ttl"))
    for vocab in ("http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#",
                  "http://www.w3.org/2006/time#", "http://xmlns.com/foaf/0.1/", "https://schema.org/",
                  "http://semanticweb.cs.vu.nl/2009/11/sem/"):
        assert vocab in text, vocab
