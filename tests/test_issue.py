"""Which issue of a periodical a text appeared in: `issue`, in the text's words, on publishedIn only."""

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.namespaces import kg_namespace
from kg.quickstatements import export_corpus
from kg.triples import make_quads
from tests.annotation_errors import QUOTE, add_entities, append, refused_on_its_last_line

BASE = "https://w3id.org/soviets/"
PAPER = "- {id: testgrad-gazette, class: Newspaper, label: Testgrad Gazette}\n" \
        "- {id: testgrad-letter, class: Publication, label: A Letter from Testgrad}\n"


@pytest.mark.parametrize("statement, message", [
    ("subject: testgrad-letter\n    predicate: author\n    object: ivan-testov\n    issue: \"No. 5\"",
     "issue qualifies where a text appeared"),
    ("subject: testgrad-letter\n    predicate: publishedIn\n    object: testgrad-gazette\n    issue: \"\"",
     "expected non-empty text"),
    ("subject: testgrad-letter\n    predicate: publishedIn\n    object: testgrad-gazette\n    issue: 5",
     "expected non-empty text"),
])
def test_check_refuses_a_bad_issue(corpus_dir, statement, message):
    add_entities(corpus_dir, PAPER)
    refused_on_its_last_line(corpus_dir, statement, "issue", message)     # the line of 'issue:' itself


def test_an_issue_stays_on_the_statement_in_the_texts_words(corpus_dir):
    add_entities(corpus_dir, PAPER)
    append(corpus_dir, f"""  - subject: testgrad-letter
    predicate: publishedIn
    object: testgrad-gazette
    issue: "No. 5"
    quote: "{QUOTE}"
""")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    [node] = {q[0] for q in quads if q[1:3] == (RDF.predicate, k.publishedIn)}
    assert [q[2] for q in quads if q[:2] == (node, k.issue)] == [Literal("No. 5", lang="en")]
    assert any(q[:3] == (e("testgrad-letter"), k.publishedIn, e("testgrad-gazette")) for q in quads)


def test_the_texts_issues_are_kept_and_none_goes_to_wikidata():
    corpus = load_corpus(PROJECT_ROOT / "sources")
    issues = {(st.subject, st.object, st.texts["issue"]) for st in corpus.annotations.statements
              if "issue" in st.texts}
    assert {("lenin-our-tasks-1905", "pravda", "No. 308"), ("radin-article-novaya-zhizn-1905", "novaya-zhizn-1905", "No. 5"),
            ("organisation-of-the-masses-1906", "ekho", "No. 11"), ("petersburg-committee-resolution-1906", "ekho", "No. 5"),
            ("soviet-power-1917", "rabochy-put", "No. 35")} <= issues
    lines = export_corpus(corpus, Iris(BASE)).lines
    assert lines and not any("P433" in line.split("\t") for line in lines)     # no issue qualifier
