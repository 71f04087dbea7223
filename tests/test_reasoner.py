"""The ontology catches mistakes: OWL RL over every build finds no inconsistency, and finds planted ones."""

import pytest
from rdflib import Graph

from kg.build import make_graphs, ontology_graph
from kg.config import PROJECT_ROOT, Config
from kg.reasoning import inconsistencies

from tests.conftest import FIXTURE_CORPUS

K = "https://w3id.org/soviets/ontology#"
R = "https://w3id.org/soviets/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def ontology():
    return ontology_graph(Config())


@pytest.mark.parametrize("sources", [PROJECT_ROOT / "sources", FIXTURE_CORPUS], ids=["corpus", "fixture"])
def test_built_graph_is_consistent_with_the_ontology(sources, tmp_path):
    graphs = make_graphs(Config(sources_dir=str(sources), data_dir=str(tmp_path)))
    assert inconsistencies(graphs.data, graphs.ontology) == []


@pytest.mark.parametrize("turtle, expected", [
    (f"<{R}x> a <{K}CitySoviet>, <{K}Party> .", "Disjoint classes"),
    (f"<{R}p> a <{K}Person> . <{R}s> <{K}locatedIn> <{R}p> .", "Disjoint classes"),
    (f"<{R}e> a <{K}Strike> . <{R}p> <{K}memberOf> <{R}e> .", "Disjoint classes"),
    (f"<{R}x> a <{K}Publication> . <{R}x> <{K}born> \"1879\"^^<{XSD}gYear> .", "Disjoint classes"),
    (f"<{R}p> <{K}born> \"1879-11-07\"^^<{XSD}date>, \"1880-01-01\"^^<{XSD}date> .", "functional property"),
    (f"<{R}c> a <{K}City>, <{K}Country> .", "Disjoint classes"),
], ids=["soviet-is-a-party", "located-in-a-person", "member-of-an-event", "publication-born",
        "born-twice", "city-is-a-country"])
def test_reasoner_finds_a_planted_mistake(turtle, expected, ontology):
    data = Graph()
    data.parse(data=turtle, format="turtle")
    found = inconsistencies(data, ontology)
    assert found and any(expected in message for message in found), found


def test_consistent_data_stays_consistent(ontology):
    data = Graph()
    data.parse(data=f"<{R}p> a <{K}Person> ; <{K}memberOf> <{R}o> . <{R}o> a <{K}Party> .", format="turtle")
    assert inconsistencies(data, ontology) == []
