"""The model's leftovers: a congress a proposal concerns, a person's dated stay, the condition of what is
proposed, and a remark on the state of the evidence."""

from pathlib import Path

import pytest

from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.namespaces import kg_namespace
from kg.triples import make_quads
from tests.annotation_errors import QUOTE, append, refused

BASE = "https://w3id.org/soviets/"
EXTRA = ("- {id: test-congress, class: Congress, label: Test Congress}\n"
         "- {id: test-congress-of-soviets, class: CongressOfSoviets, label: Test Congress of Soviets}\n"
         "- {id: test-strike, class: Strike, label: Test Strike}\n")


def add_entities(corpus_dir: Path) -> None:
    """Add a congress, a standing congress of soviets and a strike to the fixture's registry."""
    entities = corpus_dir / "entities" / "all.yaml"
    entities.write_text(entities.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")


def bundled(source: str) -> dict:
    """The bundled corpus's statements of one source, by id."""
    return {st.id: st for st in load_corpus(PROJECT_ROOT / "sources").annotations.statements if st.source == source}


# -- a congress in concerns --

PROPOSAL = "subject: ivan-testov\n    predicate: proposed\n    value: \"tasks\"\n    stance: proposes\n"


def test_check_refuses_concerns_with_an_event_that_is_no_congress(corpus_dir):
    add_entities(corpus_dir)
    statement = PROPOSAL + "    concerns: [test-congress, test-strike]"
    line, at = refused(corpus_dir, statement, "concerns",
                       "test-strike is a Strike; a proposal, demand, decision or act concerns a body, a person, "
                       "a place or a congress")
    assert at == line + statement.count("\n")


def test_a_proposal_concerns_a_congress_and_a_congress_of_soviets(corpus_dir):
    add_entities(corpus_dir)
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
