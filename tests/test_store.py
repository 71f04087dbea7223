"""The store as `kg build` loads it (kg.store.load_named, then load_default), checked against the quads given."""

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.build import make_graphs
from kg.store import DEFAULT_NT, load_quads, memory_store, open_store

E = "http://example.org/"
G1, G2, A = URIRef(E + "g1"), URIRef(E + "g2"), URIRef(E + "a")
P, Q, N, R = (URIRef(E + x) for x in "pqnr")
SOURCE = [
    (A, P, Literal("x"), G1),
    (A, P, Literal("x"), G2),                              # the same triple stated in a second graph
    (A, P, Literal("x"), G2),                              # and the same quad given twice
    (A, N, Literal("1.00", datatype=XSD.decimal), G1),     # kept by the store as a value, "1"
    (A, Q, BNode("b1"), G1),
    (BNode("b1"), P, BNode("b2"), G1),                     # blank nodes on both sides, in two graphs
    (BNode("b1"), P, BNode("b2"), G2),
    (BNode("b2"), R, Literal("y", lang="ru"), G2),
]


def node(name):
    return ox.NamedNode(E + name)


b1, b2 = ox.BlankNode("b1"), ox.BlankNode("b2")
DECIMAL_1 = ox.Literal("1", datatype=ox.NamedNode(str(XSD.decimal)))
TRIPLES = {
    (node("a"), node("p"), ox.Literal("x")),
    (node("a"), node("n"), DECIMAL_1),
    (node("a"), node("q"), b1),
    (b1, node("p"), b2),
    (b2, node("r"), ox.Literal("y", language="ru")),
}
NAMED = {
    (node("a"), node("p"), ox.Literal("x"), node("g1")),
    (node("a"), node("p"), ox.Literal("x"), node("g2")),
    (node("a"), node("n"), DECIMAL_1, node("g1")),
    (node("a"), node("q"), b1, node("g1")),
    (b1, node("p"), b2, node("g1")),
    (b1, node("p"), b2, node("g2")),
    (b2, node("r"), ox.Literal("y", language="ru"), node("g2")),
}


def contents(store):
    """(named graphs' quads, default graph's triples), each as a list: a repeat would show."""
    named = [(q.subject, q.predicate, q.object, q.graph_name) for q in store
             if not isinstance(q.graph_name, ox.DefaultGraph)]
    default = [(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    return named, default


def in_memory(tmp_path):
    return memory_store(SOURCE)


def on_disk(tmp_path):
    load_quads(ox.Store(str(tmp_path / "store")), SOURCE, tmp_path)
    assert not (tmp_path / DEFAULT_NT).exists(), "the default graph's N-Triples are deleted once read"
    assert (tmp_path / "kg.nq").is_file()
    return ox.Store.read_only(str(tmp_path / "store"))


@pytest.mark.parametrize("load", [in_memory, on_disk])
def test_the_store_holds_the_distinct_quads_and_each_triple_once_in_the_default_graph(load, tmp_path):
    named, default = contents(load(tmp_path))
    assert sorted(named, key=str) == sorted(NAMED, key=str)
    assert sorted(default, key=str) == sorted(TRIPLES, key=str)


@pytest.mark.parametrize("load", [in_memory, on_disk])
def test_blank_nodes_are_the_nodes_given_in_every_graph(load, tmp_path):
    """Parsing kg.nq gives blank nodes new ids: the store holds the given ones, and no others."""
    store = load(tmp_path)
    blanks = {t for q in store for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    assert blanks == {b1, b2}
    assert set(store.quads_for_pattern(b1, node("p"), b2)) == {
        ox.Quad(b1, node("p"), b2, g) for g in (node("g1"), node("g2"), ox.DefaultGraph())}


def test_the_built_store_holds_the_corpus_quads_once_each(built_fixture):
    """kg build's store (named graphs loaded beside validation) against the quads the corpus makes."""
    config, result = built_fixture
    quads = make_graphs(config).quads.quads
    named, default = contents(open_store(config.data_dir))
    assert len(named) == len(set(quads)) == result.manifest["quads"]
    assert len(default) == len({q[:3] for q in quads}) == result.manifest["triples"]
    assert len(set(default)) == len(default)
    given = {q for q in quads if any(isinstance(t, BNode) for t in q)}
    assert sum(1 for q in named if any(isinstance(t, ox.BlankNode) for t in q)) == len(given) > 0
    # the in-memory store `kg validate` checks holds the same, but for the ontology's blank node
    # labels, which each reading of the ontology draws anew
    memory, memory_default = contents(memory_store(quads))
    plain = lambda rows: {r for r in rows if not any(isinstance(t, ox.BlankNode) for t in r)}  # noqa: E731
    assert plain(memory) == plain(named) and plain(memory_default) == plain(default)
