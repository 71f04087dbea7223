"""The model's leftovers: a congress a proposal concerns, a person's dated stay, the condition of what is
proposed, and a remark on the state of the evidence."""

import pytest
from rdflib.namespace import RDF

from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.namespaces import kg_namespace
from kg.triples import make_quads
from tests.annotation_errors import QUOTE, add_entities, bundled, append, refused, refused_on_its_last_line

BASE = "https://w3id.org/soviets/"
EXTRA = ("- {id: test-congress, class: Congress, label: Test Congress}\n"
         "- {id: test-congress-of-soviets, class: CongressOfSoviets, label: Test Congress of Soviets}\n"
         "- {id: test-strike, class: Strike, label: Test Strike}\n")



# -- a congress in concerns --

PROPOSAL = "subject: ivan-testov\n    predicate: proposed\n    value: \"tasks\"\n    stance: proposes\n"


def test_check_refuses_concerns_with_an_event_that_is_no_congress(corpus_dir):
    add_entities(corpus_dir, EXTRA)
    statement = PROPOSAL + "    concerns: [test-congress, test-strike]"
    refused_on_its_last_line(corpus_dir, statement, "concerns",
                             "test-strike is a Strike; a proposal, demand, decision or act concerns a body, a person, "
                             "a place or a congress")


def test_a_proposal_concerns_a_congress_and_a_congress_of_soviets(corpus_dir):
    add_entities(corpus_dir, EXTRA)
    append(corpus_dir, f"  - {PROPOSAL}    concerns: [test-congress, test-congress-of-soviets]\n    quote: \"{QUOTE}\"\n")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    assert {q[2] for q in quads if q[1] == k.concerns} == {e("test-congress"), e("test-congress-of-soviets")}


def test_lenins_tasks_concern_both_congresses_by_name_and_no_stand_in():
    st = bundled("lenin-1905")["lenin-proposed-f1c0d4f6"]
    assert {"workers-congress-moscow-1905", "peasant-union-second-congress-1905"} <= set(st.concerns)
    assert "peasant-union" not in st.concerns          # it stood for its congress
    assert "congress" not in (st.uncertain or "")


def test_the_congress_example_passes_the_checker(tmp_path):
    from tests.test_docs import _load_example
    [st] = _load_example(tmp_path, "lenin-1905", containing="workers-congress-moscow-1905").annotations.statements
    assert st.concerns[-2:] == ["workers-congress-moscow-1905", "peasant-union-second-congress-1905"]


# -- a person's stay, dated by its statement --

def test_a_persons_stay_is_dated_by_its_statement_with_only_the_bounds_given(corpus_dir):
    from rdflib import Literal
    from rdflib.namespace import XSD
    append(corpus_dir, f"""  - subject: ivan-testov
    predicate: locatedIn
    object: testgrad
    start: {{before: 1905-10, calendar: julian}}
    end: {{after: 1905-12-01, calendar: julian, written: "562 deputies"}}
    quote: "{QUOTE}"
""")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    assert any(q[:3] == (e("ivan-testov"), k.locatedIn, e("testgrad")) for q in quads)
    [node] = {q[0] for q in quads if q[1:3] == (RDF.predicate, k.locatedIn)} & \
        {q[0] for q in quads if q[1:3] == (RDF.subject, e("ivan-testov"))}
    [start] = {q[2] for q in quads if q[:2] == (node, k.startTime)}
    [end] = {q[2] for q in quads if q[:2] == (node, k.endTime)}
    facts = {(q[0], q[1]): q[2] for q in quads if q[0] in (start, end)}
    # Julian bounds, inclusive: "before October 1905" ends on 31 October (13 November Gregorian);
    # "after 1 December 1905" begins on that day (14 December Gregorian); no bound the text did not give
    assert facts[(start, k.latestGregorian)] == Literal("1905-11-13", datatype=XSD.date)
    assert facts[(end, k.earliestGregorian)] == Literal("1905-12-14", datatype=XSD.date)
    assert (start, k.earliestGregorian) not in facts and (end, k.latestGregorian) not in facts
    assert facts[(end, k.asWritten)] == Literal("562 deputies")


def test_stalins_and_kamenevs_stay_in_siberia_ends_after_the_revolution_with_no_later_bound():
    statements = bundled("nin-1932")
    for sid, person in (("stalin-locatedin-33b8395b", "stalin"), ("kamenev-locatedin-c62c1241", "kamenev")):
        st = statements[sid]
        assert (st.subject, st.predicate, st.object) == (person, "locatedIn", "siberia")
        end = st.dates["end"]
        assert end.after.value == "1917-02" and end.before is None, sid
        assert end.written in st.evidence.quote and set(st.dates) == {"end"}, sid


def test_the_stay_example_passes_the_checker(tmp_path):
    from tests.test_docs import _load_example
    [st] = _load_example(tmp_path, "nin-1932", containing="returned from Siberia").annotations.statements
    assert (st.subject, st.predicate, st.object) == ("stalin", "locatedIn", "siberia")
    assert st.dates["end"].earliest.isoformat() == "1917-02-14" and st.dates["end"].latest is None


# -- what a condition conditions --

def test_check_refuses_a_condition_also_folded_into_the_value(corpus_dir):
    statement = ("subject: ivan-testov\n    predicate: proposed\n    value: \"The Soviet had 562 deputies\"\n"
                 "    stance: proposes\n    condition: \"562 deputies\"")
    refused_on_its_last_line(corpus_dir, statement, "condition", "is also in the value: give it once, as the condition")


def test_the_export_leaves_out_every_conditional_statement_and_says_which_reading(corpus_dir):
    import dataclasses

    from kg.quickstatements import export_corpus
    from tests.conftest import WIKIDATA_FIXTURES
    corpus = load_corpus(WIKIDATA_FIXTURES / "traps")
    template = next(s for s in corpus.annotations.statements if s.id == "founded-julian")
    condition = {"condition": ["only where the Soviets led"]}
    cases = (dataclasses.replace(template, clauses=condition),
             dataclasses.replace(template, predicate="decided", stance="decides", value="to strike", clauses=condition))
    annotations = dataclasses.replace(corpus.annotations, statements=list(cases))
    result = export_corpus(dataclasses.replace(corpus, annotations=annotations), Iris(BASE))
    assert result.lines == []
    assert result.skipped == {"holds only under a condition": 1, "what it decided holds only under a condition": 1}


def test_stalins_and_kamenevs_proposal_carries_its_condition_apart_from_what_they_proposed():
    statements = bundled("nin-1932")
    for sid in ("stalin-proposed-5e395779", "kamenev-proposed-c532cfe7"):
        st = statements[sid]
        assert st.clauses["condition"] == ["to the extent that the latter worked on behalf of that revolution"], sid
        assert st.value.endswith("support for the Provisional Government"), sid


def test_the_conditions_query_gives_each_condition_the_reading_of_its_predicate():
    import csv

    from kg.vocabulary import CONTENT_CONDITION_PREDICATES
    path = PROJECT_ROOT / "queries" / "cq-model3-aims-and-conditions.tsv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    conditions = [r for r in rows if r["?qualifier"].endswith("#condition>")]
    content = {r["?predicate"].rsplit("#", 1)[1].rstrip(">") for r in conditions if r["?conditionOf"] == '"content"'}
    statement = {r["?predicate"].rsplit("#", 1)[1].rstrip(">") for r in conditions if r["?conditionOf"] == '"statement"'}
    assert content and statement and content <= set(CONTENT_CONDITION_PREDICATES)
    assert not statement & set(CONTENT_CONDITION_PREDICATES)
    assert {"proposed", "enacted"} <= content
    assert all(r["?conditionOf"] == "" for r in rows if r["?qualifier"].endswith("#purpose>"))


def test_the_proposed_condition_example_passes_the_checker(tmp_path):
    from tests.test_docs import _load_example
    [st] = _load_example(tmp_path, "nin-1932", containing="condition:").annotations.statements
    assert (st.subject, st.predicate, st.clauses["condition"]) == (
        "kamenev", "proposed", ["to the extent that the latter worked on behalf of that revolution"])


# -- a remark on the state of the evidence --

REMARK = "subject: testgrad-soviet\n    predicate: evidenceRemark\n    value: \"the data we possess are incomplete\"\n"


@pytest.mark.parametrize("statement, field, message", [
    (REMARK + "    stance: predicts", "stance", "evidenceRemark takes the stance asserts or reports, not predicts"),
    (REMARK + "    stance: alleges", "stance", "evidenceRemark takes the stance asserts or reports, not alleges"),
    ("subject: testgrad-soviet\n    predicate: evidenceRemark\n    object: testgrad", "object", "not an 'object'"),
])
def test_check_refuses_a_remark_on_the_evidence_that_is_no_assertion_or_report_or_no_words(
        corpus_dir, statement, field, message):
    line, at = refused(corpus_dir, statement, field, message)
    assert line <= at <= line + statement.count("\n")


def test_a_remark_on_the_evidence_is_a_triple_of_its_own_and_no_characterisation(corpus_dir):
    from rdflib import Literal
    append(corpus_dir, f"  - {REMARK}    quote: \"{QUOTE}\"\n  - {REMARK}    stance: reports\n"
                       f"    attribution: quoted:trotsky\n    quote: \"{QUOTE}\"\n")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    words = Literal("the data we possess are incomplete", lang="en")
    assert [q[:3] for q in quads if q[1] == k.evidenceRemark] == [(e("testgrad-soviet"), k.evidenceRemark, words)]
    nodes = {q[0] for q in quads if q[1:3] == (RDF.predicate, k.evidenceRemark)}
    assert len(nodes) == 2      # the reported one is a statement only, no direct triple
    assert not any(q[1] == k.describedAs or q[1:3] == (RDF.predicate, k.describedAs) for q in quads)


def test_nins_remark_on_the_peasant_soviets_is_on_the_evidence_with_its_id_kept():
    st = bundled("nin-1932")["peasant-soviets-1905-describedas-99963091"]
    assert (st.subject, st.predicate, st.value, st.stance) == (
        "peasant-soviets-1905", "evidenceRemark", "the data we possess are even more incomplete", "asserts")


def test_the_evidence_remark_example_passes_the_checker(tmp_path):
    from tests.test_docs import _load_example
    [st] = _load_example(tmp_path, "nin-1932", containing="evidenceRemark").annotations.statements
    assert (st.subject, st.predicate) == ("peasant-soviets-1905", "evidenceRemark")
