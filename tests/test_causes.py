"""Causes (causedBy, cause) with the effect in the text's words and whose claim it is; to whom a demand was made."""

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.namespaces import OA, PROV, kg_namespace
from kg.triples import make_quads
from kg.vocabulary import FACT_STANCES, STANCES
from tests.annotation_errors import QUOTE, add_entities, append, refused

BASE = "https://w3id.org/soviets/"
EXTRA = "- {id: test-rising, class: Insurrection, label: Test Rising}\n- {id: testland, class: Country, label: Testland}\n"


@pytest.mark.parametrize("statement, field, message", [
    # a place is no cause: the events taking place there are
    ("subject: testgrad-soviet\n    predicate: causedBy\n    object: testgrad", "object", "testgrad is a City"),
    # a cause named by no entity is 'cause', in words; an entity cause is an object, not words
    ("subject: testgrad-soviet\n    predicate: causedBy\n    value: \"events taking place in Russia\"", "value",
     "write 'object'"),
    ("subject: test-rising\n    predicate: cause\n    object: testgrad-soviet", "object", "not an 'object'"),
    ("subject: test-rising\n    predicate: cause\n    value: 5", "value", "is not text"),
    # only a cause has an effect
    ("subject: testgrad-soviet\n    predicate: describedAs\n    value: \"important\"\n    effect: \"importance\"",
     "effect", "effect qualifies a cause"),
])
def test_check_refuses_a_bad_cause(corpus_dir, statement, field, message):
    add_entities(corpus_dir, EXTRA)
    line, at = refused(corpus_dir, statement, field, message)
    assert line <= at <= line + statement.count("\n") + 1


@pytest.mark.parametrize("stance", STANCES)
def test_a_cause_is_a_direct_triple_only_in_the_texts_own_voice_and_keeps_effect_stance_and_quote(corpus_dir, stance):
    add_entities(corpus_dir, EXTRA)
    append(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: causedBy
    object: test-rising
    effect: "had 562 deputies"
    stance: {stance}
    quote: "{QUOTE}"
  - subject: test-rising
    predicate: cause
    value: "the masses were still inexperienced"
    effect: "the defeat"
    stance: {stance}
    attribution: quoted:trotsky
    quote: "{QUOTE}"
""")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    for subj, prop, obj, effect in (
            (e("testgrad-soviet"), k.causedBy, e("test-rising"), "had 562 deputies"),
            (e("test-rising"), k.cause, Literal("the masses were still inexperienced", lang="en"), "the defeat")):
        assert any(q[:3] == (subj, prop, obj) for q in quads) == (stance in FACT_STANCES), (prop, stance)
        [node] = {q[0] for q in quads if q[1:3] == (RDF.predicate, prop)}
        facts = {(q[1], q[2]) for q in quads if q[0] == node}
        assert (RDF.subject, subj) in facts and (RDF.object, obj) in facts
        assert (k.effect, Literal(effect, lang="en")) in facts
        assert (k.stance, k[stance.capitalize()]) in facts
        [evidence] = [o for p, o in facts if p == PROV.wasDerivedFrom]
        selectors = {q[2] for q in quads if q[0] == evidence and q[1] == OA.hasSelector}
        assert any(q[1:3] == (OA.exact, Literal(QUOTE)) for q in quads if q[0] in selectors)
    attributed = {q[1:3] for q in quads if q[0] in {q2[0] for q2 in quads if q2[1:3] == (RDF.predicate, k.cause)}}
    assert (PROV.wasAttributedTo, e("trotsky")) in attributed


def test_a_state_and_a_person_may_be_causes_and_anything_may_have_one(corpus_dir):
    add_entities(corpus_dir, EXTRA)
    append(corpus_dir, "".join(f"""  - subject: {s}
    predicate: causedBy
    object: {o}
    quote: "{QUOTE}"
""" for s, o in (("testgrad", "testland"), ("test-rising", "ivan-testov"), ("ivan-testov", "testgrad-soviet"))))
    causes = [(st.subject, st.object) for st in load_corpus(corpus_dir).annotations.statements
              if st.predicate == "causedBy"]
    assert causes == [("testgrad", "testland"), ("test-rising", "ivan-testov"), ("ivan-testov", "testgrad-soviet")]



@pytest.mark.parametrize("statement, field, message", [
    ("subject: ivan-testov\n    predicate: demanded\n    value: \"the programme\"\n    stance: demands\n"
     "    addressee: testgrad", "addressee", "testgrad is a City"),
    ("subject: ivan-testov\n    predicate: describedAs\n    value: \"a leader\"\n    addressee: testgrad-soviet",
     "addressee", "addressee qualifies a demand or proposal"),
])
def test_check_refuses_a_bad_addressee(corpus_dir, statement, field, message):
    line, at = refused(corpus_dir, statement, field, message)
    assert line <= at <= line + statement.count("\n") + 1


def test_a_demand_keeps_the_body_it_was_made_to(corpus_dir):
    append(corpus_dir, f"""  - subject: ivan-testov
    predicate: demanded
    value: "that the new institution adopt the social democratic program"
    stance: demands
    addressee: testgrad-soviet
    quote: "{QUOTE}"
""")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    [node] = {q[0] for q in quads if q[1:3] == (RDF.predicate, k.demanded)}
    assert any(q[:3] == (node, k.addressee, e("testgrad-soviet")) for q in quads)
    assert any(q[:3] == (node, k.stance, k.Demands) for q in quads)



def test_nins_causes_keep_whose_judgement_they_are():
    """The measured causes of nin-1932 are statements of their own; a reported cause names its claimant."""
    statements = [st for st in load_corpus(PROJECT_ROOT / "sources").annotations.statements
                  if st.source == "nin-1932" and st.predicate in ("causedBy", "cause")]
    influence = next(st for st in statements if "under the influence of events taking place in Russia" in st.evidence.quote)
    assert (influence.subject, influence.predicate, influence.object) == (
        "ivanovo-voznesensk-soviet-1905", "causedBy", "revolution-of-1905")
    assert "importance" in influence.texts["effect"]
    inexperience = next(st for st in statements if st.predicate == "cause" and "inexperienced" in st.value)
    assert (inexperience.subject, inexperience.stance, inexperience.attribution) == (
        "revolution-of-1905", "asserts", "author")
    assert inexperience.texts["effect"] == "the failure of the Revolution"
    assert "major reasons for the failure of the Revolution" in inexperience.evidence.quote
    for st in statements:
        if st.stance == "reports":
            assert st.attribution == "quoted" and st.quoted, st.value
        if st.attribution == "author":
            assert st.stance in ("asserts", "alleges"), (st.value, st.stance)
    assert {st.stance for st in statements} >= {"asserts", "alleges", "reports"}
