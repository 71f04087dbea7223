"""What a proposal, demand, decision or act in the text's words is about: `concerns`, one or more bodies or persons."""

import dataclasses

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.namespaces import kg_namespace
from kg.quickstatements import export_corpus
from kg.triples import make_quads
from tests.annotation_errors import QUOTE, append, refused_on_its_last_line
from tests.conftest import WIKIDATA_FIXTURES

BASE = "https://w3id.org/soviets/"
PROPOSAL = "subject: ivan-testov\n    predicate: proposed\n    value: \"that the Soviet join the party\"\n    stance: proposes\n"


@pytest.mark.parametrize("statement, message", [
    # a place may be concerned (tests/test_model3.py), an event may not: test_model3 plants one
    (PROPOSAL + "    concerns: [testgrad-soviet, nobody-known]", "unknown entity id 'nobody-known'"),
    (PROPOSAL + "    concerns: []", "an entity id or a list of entity ids"),
    (PROPOSAL + "    concerns: [testgrad-soviet, testgrad-soviet]", "names an entity twice"),
    ("subject: testgrad-soviet\n    predicate: activity\n    value: \"a leader\"\n    concerns: testgrad-soviet",
     "concerns qualifies a proposal, demand, decision or act"),
])
def test_check_refuses_a_bad_concerns(corpus_dir, statement, message):
    refused_on_its_last_line(corpus_dir, statement, "concerns", message)     # the line of 'concerns:' itself


@pytest.mark.parametrize("predicate, stance, direct", [
    ("proposed", "proposes", False), ("demanded", "demands", False),
    ("decided", "decides", True), ("enacted", "enacts", True),
])
def test_a_statement_keeps_every_body_or_person_it_concerns(corpus_dir, predicate, stance, direct):
    append(corpus_dir, f"""  - subject: ivan-testov
    predicate: {predicate}
    value: "that the Soviet join the party"
    stance: {stance}
    concerns: [testgrad-soviet, ivan-testov]
    quote: "{QUOTE}"
""")
    corpus = load_corpus(corpus_dir)
    [st] = [s for s in corpus.annotations.statements if s.predicate == predicate and s.concerns]
    assert st.concerns == ["testgrad-soviet", "ivan-testov"]
    quads = make_quads(corpus, BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    [node] = {q[0] for q in quads if q[1:3] == (RDF.predicate, k[predicate])}
    assert {q[2] for q in quads if q[:2] == (node, k.concerns)} == {e("testgrad-soviet"), e("ivan-testov")}
    # the qualifier is on the statement node only; the direct triple (when there is one) carries the words
    assert not any(q[1] == k.concerns and q[0] != node for q in quads)
    words = Literal("that the Soviet join the party", lang="en")
    assert any(q[:3] == (e("ivan-testov"), k[predicate], words) for q in quads) == direct


def test_a_single_id_is_a_list_of_one(corpus_dir):
    append(corpus_dir, f"""  - subject: ivan-testov
    predicate: demanded
    value: "that the Soviet join the party"
    stance: demands
    concerns: testgrad-soviet
    quote: "{QUOTE}"
""")
    [st] = [s for s in load_corpus(corpus_dir).annotations.statements if s.concerns]
    assert st.concerns == ["testgrad-soviet"]


def test_a_decision_concerning_a_linked_body_does_not_go_to_wikidata():
    """A decision in words has no Wikidata property, whatever it concerns."""
    corpus = load_corpus(WIKIDATA_FIXTURES / "traps")
    template = next(st for st in corpus.annotations.statements if st.id == "founded-julian")
    st = dataclasses.replace(template, predicate="decided", stance="decides", object=None,
                             value="to call a general strike", concerns=[template.subject])
    result = export_corpus(dataclasses.replace(corpus, annotations=dataclasses.replace(
        corpus.annotations, statements=[st])), Iris(BASE))
    assert result.lines == [] and result.skipped == {"no Wikidata property": 1}


def test_lenins_proposals_name_the_bodies_they_concern():
    """Lenin's advice not to demand that the Soviet join the RSDLP concerns both (lenin-1905 line 24)."""
    statements = load_corpus(PROJECT_ROOT / "sources").annotations.statements
    advice = next(st for st in statements if st.source == "lenin-1905" and st.predicate == "proposed"
                  and st.value.startswith("it is inadvisable to demand that the Soviet"))
    assert advice.concerns == ["petersburg-soviet-1905", "rsdlp"]
    assert all(st.predicate in ("proposed", "demanded", "decided", "enacted", "describedAs", "outcome")
               for st in statements if st.concerns)
