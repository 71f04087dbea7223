"""Powers, practices, characterisations and composition: function, activity, describedAs, composedOf."""

import dataclasses

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from kg.corpus import load_corpus
from kg.iris import Iris
from kg.namespaces import kg_namespace
from kg.quickstatements import export_corpus
from kg.triples import make_quads
from kg.vocabulary import FACT_STANCES, STANCES
from tests.annotation_errors import QUOTE, add_entities, append, refused
from tests.conftest import WIKIDATA_FIXTURES

BASE = "https://w3id.org/soviets/"
TRAPS = WIKIDATA_FIXTURES / "traps"


@pytest.mark.parametrize("statement, field, message", [
    # a practice, a power and a composition belong to bodies
    ("subject: testgrad\n    predicate: activity\n    value: \"held meetings\"", "subject", "testgrad is a City"),
    ("subject: testgrad\n    predicate: function\n    value: \"ratifies the budget\"", "subject", "testgrad is a City"),
    ("subject: ivan-testov\n    predicate: composedOf\n    object: testgrad-soviet", "subject",
     "ivan-testov is a Person"),
    # a composition is by a social group (a registered body), never by a place
    ("subject: testgrad-soviet\n    predicate: composedOf\n    object: testgrad", "object", "testgrad is a City"),
    ("subject: testgrad-soviet\n    predicate: composedOf\n    value: \"peasants\"", "value", "write 'object'"),
    # a characterisation is the text's words, not an entity
    ("subject: testgrad\n    predicate: describedAs\n    object: testgrad-soviet", "object", "not an 'object'"),
    ("subject: testgrad\n    predicate: describedAs\n    value: 5", "value", "is not text"),
])
def test_check_refuses_a_bad_subject_object_or_value(corpus_dir, statement, field, message):
    line, at = refused(corpus_dir, statement, field, message)
    assert line <= at <= line + statement.count("\n") + 1


def test_any_kind_of_entity_can_be_described(corpus_dir):
    append(corpus_dir, "".join(f"""  - subject: {subject}
    predicate: describedAs
    value: "{words}"
    quote: "{QUOTE}"
""" for subject, words in (("testgrad", "a city of soviets"), ("trotsky", "its leading spirit"),
                           ("testgrad-soviet", "the axis of all events"))))
    described = [st for st in load_corpus(corpus_dir).annotations.statements if st.predicate == "describedAs"]
    assert [(st.subject, st.value) for st in described] == [
        ("testgrad", "a city of soviets"), ("trotsky", "its leading spirit"),
        ("testgrad-soviet", "the axis of all events")]


@pytest.mark.parametrize("stance", STANCES)
def test_a_characterisation_is_a_direct_triple_only_in_the_texts_own_voice(corpus_dir, stance):
    append(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: describedAs
    value: "the axis of all events"
    stance: {stance}
    attribution: quoted:trotsky
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: activity
    value: "distributed leaflets"
    stance: {stance}
    quote: "{QUOTE}"
""")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, soviet = kg_namespace(BASE), Iris(BASE).entity("testgrad-soviet")
    for prop, words in ((k.describedAs, "the axis of all events"), (k.activity, "distributed leaflets")):
        direct = (soviet, prop, Literal(words, lang="en"))
        assert any(q[:3] == direct for q in quads) == (stance in FACT_STANCES), (prop, stance)
        node = [q[0] for q in quads if q[1:3] == (k.stance, k[stance.capitalize()])]
        assert node, "the statement node keeps its stance whatever it is"


def test_a_composition_is_a_relation_with_the_group_it_replaced(corpus_dir):
    add_entities(corpus_dir, "- {id: testland-peasants, class: Organisation, label: Peasants of Testland}\n"
                             "- {id: testland-intellectuals, class: Organisation, label: Intellectuals of Testland}\n")
    append(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: composedOf
    object: testland-peasants
    replaces: testland-intellectuals
    quote: "{QUOTE}"
""")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, iris = kg_namespace(BASE), Iris(BASE)
    soviet, peasants = iris.entity("testgrad-soviet"), iris.entity("testland-peasants")
    assert any(q[:3] == (soviet, k.composedOf, peasants) for q in quads)
    [node] = [q[0] for q in quads if q[1:3] == (RDF.predicate, k.composedOf)]
    assert any(q[:3] == (node, RDF.object, peasants) for q in quads)
    assert any(q[:3] == (node, k.replaces, iris.entity("testland-intellectuals")) for q in quads)


@pytest.mark.parametrize("predicate", ["function", "activity", "describedAs", "composedOf"])
def test_no_power_practice_characterisation_or_composition_goes_to_wikidata(predicate):
    """Wikidata has no property for these; the export's allow-list must keep them out, whatever the stance."""
    corpus = load_corpus(TRAPS)
    st = next(st for st in corpus.annotations.statements if st.id == "soviet-in-city")
    if predicate == "composedOf":
        st = dataclasses.replace(st, predicate=predicate)
    else:
        st = dataclasses.replace(st, predicate=predicate, object=None, value="the axis of all events")
    annotations = dataclasses.replace(corpus.annotations, statements=[st])
    result = export_corpus(dataclasses.replace(corpus, annotations=annotations), Iris(BASE))
    assert result.lines == [] and result.skipped == {"no Wikidata property": 1}
