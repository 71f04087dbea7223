"""Relations or contact between bodies that the text calls neither alliance nor struggle: inRelationWith."""

import pytest
from rdflib.namespace import RDF

from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.namespaces import kg_namespace
from kg.triples import make_quads
from tests.annotation_errors import QUOTE, append, error, line_of

BASE = "https://w3id.org/soviets/"


@pytest.mark.parametrize("statement, field, message", [
    ("subject: testgrad-soviet\n    predicate: inRelationWith\n    object: testgrad", "object", "testgrad is a City"),
    ("subject: testgrad\n    predicate: inRelationWith\n    object: testgrad-soviet", "subject", "testgrad is a City"),
    ("subject: testgrad-soviet\n    predicate: inRelationWith\n    value: \"close contact\"", "value", ""),
])
def test_check_refuses_relations_with_what_is_no_agent(corpus_dir, statement, field, message):
    line, text = error(corpus_dir, f"  - {statement}\n    quote: \"{QUOTE}\"\n")
    hits = [ln for ln in text.splitlines() if message in ln and f'field "{field}"' in ln]
    assert hits, text
    assert line <= line_of(hits[0]) <= line + statement.count("\n")


def test_relations_are_a_direct_triple_of_their_own_not_an_alliance(corpus_dir):
    append(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: inRelationWith
    object: ivan-testov
    quote: "{QUOTE}"
""")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    assert any(q[:3] == (e("testgrad-soviet"), k.inRelationWith, e("ivan-testov")) for q in quads)
    assert not any(q[1] == k.alliedWith or q[1:3] == (RDF.predicate, k.alliedWith) for q in quads)


NINS_CONTACTS = {  # nin-1932: the words, and the id each statement had as an alliance
    "peasant-soviets-1905-alliedwith-57c0c811": ("peasant-soviets-1905", "soviets-1905", "established relations with"),
    "ivanovo-voznesensk-soviet-1905-alliedwith-50ed8aad": ("ivanovo-voznesensk-soviet-1905", "rsdlp",
                                                           "established close links with"),
}
# The Far East soldiers' contact: the text gives it to the soldiers, not to their soviets, so the
# statement changed subject and id, and its new id supersedes the one it had as an alliance.
SOLDIERS_CONTACT = ("far-east-returning-soldiers-1905-inrelationwith-2c3f490a",
                    "siberian-soldiers-soviets-1905-alliedwith-58655c0e",
                    ("far-east-returning-soldiers-1905", "siberian-soviets-1905", "entered into close contact with"))


def test_nins_contacts_between_soviets_are_relations_with_their_ids_kept_and_no_doubt_left():
    statements = {st.id: st for st in load_corpus(PROJECT_ROOT / "sources").annotations.statements
                  if st.source == "nin-1932"}
    sid, old_id, expected = SOLDIERS_CONTACT
    assert old_id not in statements and old_id in statements[sid].supersedes
    for sid, (subject, obj, words) in [*NINS_CONTACTS.items(), (sid, expected)]:
        st = statements[sid]
        assert (st.subject, st.predicate, st.object) == (subject, "inRelationWith", obj)
        assert words in st.evidence.quote and st.uncertain is None
