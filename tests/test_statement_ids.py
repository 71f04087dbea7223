"""Permanent statement ids: corrections keep a statement's IRI; removed ones redirect (301) or
are gone (410); no id is used twice; `kg annotations assign-ids` writes ids and nothing else."""

import re
import shutil

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import main
from kg.corpus import load_corpus
from kg.errors import InputError
from kg.statement_ids import assign_ids, content_id, insert_ids
from kg import yamlfile
from tests.conftest import FIXTURE_CORPUS, make_config

BASE = "https://w3id.org/soviets/statement/chronicle/"
REQUIRED = "required: true\n"


def chronicle(corpus_dir):
    return corpus_dir / "annotations" / "chronicle.yaml"


def ids_of(corpus_dir) -> list[str]:
    return [st.id for st in load_corpus(corpus_dir).annotations.statements]


def refusal(corpus_dir) -> str:
    with pytest.raises(InputError) as exc:
        load_corpus(corpus_dir)
    return str(exc.value)


def without_inserted_ids(text: str) -> str:
    """The text with every `id: …` that assign-ids writes taken out again."""
    text = re.sub(r"id: [a-z0-9-]+-[0-9a-f]{8}(\r?\n) *", "", text)
    return re.sub(r"\{id: [a-z0-9-]+-[0-9a-f]{8}, ", "{", text)


def with_ids(corpus_dir, policy: str = REQUIRED):
    assign_ids(corpus_dir)
    (corpus_dir / "statement-ids.yaml").write_text(policy, encoding="utf-8")
    return load_corpus(corpus_dir)


def block_of(text: str, sid: str) -> str:
    """The lines of the statement whose id is `sid` (as assign-ids writes it, id first)."""
    m = re.search(rf"  - id: {sid}\n(    .*\n)*", text)
    assert m, sid
    return m.group(0)


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


# -- assign-ids --

def test_assign_ids_writes_todays_ids_and_nothing_else(corpus_dir):
    before_ids = ids_of(corpus_dir)
    original = chronicle(corpus_dir).read_bytes()
    result = assign_ids(corpus_dir)
    assert sum(result.files.values()) == len(before_ids) == 7 and result.kept == 0
    text = chronicle(corpus_dir).read_text(encoding="utf-8")
    assert [f"id: {sid}" in text for sid in before_ids] == [True] * 7
    assert without_inserted_ids(text).encode("utf-8") == original
    assert ids_of(corpus_dir) == before_ids


def test_assign_ids_is_idempotent(corpus_dir):
    assign_ids(corpus_dir)
    once = chronicle(corpus_dir).read_bytes()
    again = assign_ids(corpus_dir)
    assert sum(again.files.values()) == 0 and again.kept == 7
    assert chronicle(corpus_dir).read_bytes() == once


HAND_WRITTEN = """\
# A file as people write it: comments, blank lines, flow mappings, an id already given.
source: chronicle   # the fixture text

mentions:
  - {entity: trotsky, quote: "Trotsky", all: true}

statements:
  # The founding, in the text's words.
  - subject: testgrad-soviet
    predicate: founded
    value: {date: 1905-10-13, calendar: julian, written: "October 13, 1905"}   # Old Style
    quote: "The Soviet of Workers’ Deputies of Testgrad was founded on October 13, 1905"

  - {subject: testgrad-soviet, predicate: locatedIn, object: testgrad, quote: "Soviet of Workers’ Deputies of Testgrad"}
  -   # a comment where the first key would be
    subject: testgrad-soviet
    predicate: numberOfDeputies

    value: 562
    quote: "The Soviet had 562 deputies"
  - id: the-ratio
    subject: testgrad-soviet
    predicate: deputyRatio
    value: 500
    unit: workers
    quote: "one for every 500 workers"
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_insert_ids_keeps_every_comment_flow_mapping_and_blank_line(newline):
    text = HAND_WRITTEN.replace("\n", newline)
    new, count = insert_ids(text, "hand.yaml")
    assert count == 3
    assert without_inserted_ids(new) == text
    before, after = yamlfile.loads(text, "hand.yaml"), yamlfile.loads(new, "hand.yaml")
    assert [s.get("id") for s in after["statements"]] == [content_id(s) for s in before["statements"][:3]] + ["the-ratio"]
    assert [{k: v for k, v in s.items() if k != "id"} for s in after["statements"]] == \
        [{k: v for k, v in s.items() if k != "id"} for s in before["statements"]]
    assert insert_ids(new, "hand.yaml") == (new, 0)


def test_assign_ids_command(corpus_dir):
    r = CliRunner().invoke(main, ["annotations", "assign-ids"], env={"KG_SOURCES_DIR": str(corpus_dir)})
    assert r.exit_code == 0, r.output
    assert "7 id(s) written in 1 file(s); 0 statement(s) already had one" in r.output
    r = CliRunner().invoke(main, ["annotations", "assign-ids"], env={"KG_SOURCES_DIR": str(corpus_dir)})
    assert "0 id(s) written in 0 file(s); 7 statement(s) already had one" in r.output


def test_assign_ids_writes_no_file_when_one_statement_lacks_its_subject(corpus_dir):
    path = chronicle(corpus_dir)
    path.write_text(path.read_text(encoding="utf-8") + "  - predicate: founded\n    quote: \"x\"\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputError) as exc:
        assign_ids(corpus_dir)
    assert "chronicle.yaml:41: a statement needs its subject and predicate" in str(exc.value)
    assert path.read_bytes() == before


def test_assign_ids_refuses_rather_than_write_a_file_that_reads_differently(corpus_dir):
    # an explicit key ("? subject") is the one shape the insertion cannot follow: nothing is written
    path = chronicle(corpus_dir)
    path.write_text(path.read_text(encoding="utf-8") + "  - ? subject\n    : testgrad-soviet\n"
                    "    predicate: numberOfDeputies\n    value: 562\n    quote: \"The Soviet had 562 deputies\"\n"
                    "    note: \"again\"\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputError) as exc:
        assign_ids(corpus_dir)
    assert "chronicle.yaml" in str(exc.value)
    assert path.read_bytes() == before


# -- corrections keep the IRI --

def test_a_corrected_quote_keeps_the_statement_id(corpus_dir):
    with_ids(corpus_dir)
    before = ids_of(corpus_dir)
    path = chronicle(corpus_dir)
    path.write_text(path.read_text(encoding="utf-8").replace(
        'quote: "The Soviet had 562 deputies"', 'quote: "had 562 deputies"'), encoding="utf-8")
    after = load_corpus(corpus_dir).annotations.statements
    assert [st.id for st in after] == before
    assert [st.evidence.quote for st in after if st.predicate == "numberOfDeputies"] == ["had 562 deputies"]


def test_without_its_id_a_corrected_quote_changes_the_iri(corpus_dir):
    # what ids prevent: the content id follows the content
    before = ids_of(corpus_dir)
    path = chronicle(corpus_dir)
    path.write_text(path.read_text(encoding="utf-8").replace(
        'quote: "The Soviet had 562 deputies"', 'quote: "had 562 deputies"'), encoding="utf-8")
    after = ids_of(corpus_dir)
    assert sum(a != b for a, b in zip(before, after)) == 1


# -- what the build refuses --

def test_required_ids_refuse_a_statement_without_one(corpus_dir):
    with_ids(corpus_dir)
    path = chronicle(corpus_dir)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  - subject: testgrad-soviet\n    predicate: numberOfDeputies\n    value: 562\n"
                    '    quote: "The Soviet had 562 deputies"\n    note: "again"\n', encoding="utf-8")
    message = refusal(corpus_dir)
    line = text.count("\n") + 1
    assert f'chronicle.yaml:{line}: field "id": this statement has no id; run `kg annotations assign-ids`' in message
    assert "1 error(s)" in message


def test_without_the_switch_ids_stay_optional(corpus_dir):
    assert len(ids_of(corpus_dir)) == 7
    (corpus_dir / "statement-ids.yaml").write_text("required: false\nretired: []\n", encoding="utf-8")
    assert len(ids_of(corpus_dir)) == 7
    (corpus_dir / "statement-ids.yaml").write_text(REQUIRED, encoding="utf-8")
    assert "7 error(s)" in refusal(corpus_dir)


def test_a_duplicate_id_is_refused_with_file_and_line(corpus_dir):
    c = with_ids(corpus_dir)
    first, second = c.annotations.statements[0], c.annotations.statements[1]
    path = chronicle(corpus_dir)
    text = path.read_text(encoding="utf-8").replace(f"id: {second.id}", f"id: {first.id}")
    path.write_text(text, encoding="utf-8")
    line = line_of(text, "predicate: locatedIn") - 2
    message = refusal(corpus_dir)
    assert (f'chronicle.yaml:{line}: field "id": statement id {first.id!r} duplicates the one at '
            f'{first.location}') in message
    assert "kg annotations assign-ids" in message


def test_a_retired_id_can_never_be_used_again(corpus_dir):
    c = with_ids(corpus_dir)
    sid = c.annotations.statements[0].id
    (corpus_dir / "statement-ids.yaml").write_text(
        f"{REQUIRED}retired:\n  - {{source: chronicle, id: {sid}, reason: \"Removed: a misreading.\"}}\n",
        encoding="utf-8")
    message = refusal(corpus_dir)
    text = chronicle(corpus_dir).read_text(encoding="utf-8")
    assert (f'chronicle.yaml:{line_of(text, "id: " + sid)}: field "id": statement id {sid!r} was retired '
            "(") in message
    assert "statement-ids.yaml:3) and may never be used again" in message


def test_a_superseded_id_of_a_current_statement_is_refused(corpus_dir):
    c = with_ids(corpus_dir)
    a, b = c.annotations.statements[0], c.annotations.statements[1]
    path = chronicle(corpus_dir)
    text = path.read_text(encoding="utf-8").replace(f"id: {a.id}\n", f"id: {a.id}\n    supersedes: [{b.id}]\n")
    path.write_text(text, encoding="utf-8")
    message = refusal(corpus_dir)
    assert f'chronicle.yaml:{line_of(text, "supersedes:")}: field "supersedes": supersedes {b.id!r}, the id of a ' \
        "current statement" in message


def test_an_id_superseded_and_retired_is_refused(corpus_dir):
    c = with_ids(corpus_dir)
    a = c.annotations.statements[0]
    path = chronicle(corpus_dir)
    text = path.read_text(encoding="utf-8").replace(f"id: {a.id}\n", f"id: {a.id}\n    supersedes: [old-one]\n")
    path.write_text(text, encoding="utf-8")
    (corpus_dir / "statement-ids.yaml").write_text(
        f"{REQUIRED}retired:\n  - {{source: chronicle, id: old-one, reason: \"A duplicate.\"}}\n", encoding="utf-8")
    assert "'old-one' is already retired at" in refusal(corpus_dir)


def test_a_retired_id_needs_its_reason(corpus_dir):
    (corpus_dir / "statement-ids.yaml").write_text(
        "retired:\n  - {source: chronicle, id: old-one}\n", encoding="utf-8")
    assert 'statement-ids.yaml:2: field "reason": give the reason' in refusal(corpus_dir)


def test_a_statement_that_supersedes_needs_its_own_id(corpus_dir):
    path = chronicle(corpus_dir)
    text = path.read_text(encoding="utf-8").replace("    value: 562\n", "    value: 562\n    supersedes: [old-one]\n")
    path.write_text(text, encoding="utf-8")
    assert 'field "supersedes": a statement that supersedes others needs its own id' in refusal(corpus_dir)


# -- what the server answers for a removed statement --

@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    """The fixture corpus with ids, one statement merged into another, one removed and retired;
    built and served: (config, app, ids) with ids kept, merged, retired."""
    from kg.build import build
    from kg.web import create_app
    root = tmp_path_factory.mktemp("merged")
    corpus = root / "sources"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    c = with_ids(corpus)
    by_pred = {st.predicate: st.id for st in c.annotations.statements}
    kept, merged_id, retired = by_pred["numberOfDeputies"], by_pred["deputyRatio"], by_pred["dissolved"]
    path = chronicle(corpus)
    text = path.read_text(encoding="utf-8")
    text = text.replace(block_of(text, merged_id), "").replace(block_of(text, retired), "")
    text = text.replace(f"id: {kept}\n", f"id: {kept}\n    supersedes: [{merged_id}]\n")
    path.write_text(text, encoding="utf-8")
    (corpus / "statement-ids.yaml").write_text(
        f"{REQUIRED}retired:\n  - source: chronicle\n    id: {retired}\n"
        "    reason: \"The editor's note does not say the Soviet was dissolved.\"\n", encoding="utf-8")
    config = make_config(corpus, root / "data")
    build(config)
    app = create_app(config.with_(threads=2))
    yield config, app, {"kept": kept, "merged": merged_id, "retired": retired}
    app.extensions["kg_backend"].close()


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_a_merged_statement_answers_301_to_the_statement_that_replaces_it(merged, accept):
    _, app, ids = merged
    r = app.test_client().get(f"/statement/chronicle/{ids['merged']}", headers={"Accept": accept})
    assert r.status_code == 301
    assert r.headers["Location"] == f"/statement/chronicle/{ids['kept']}"


def test_the_redirect_keeps_the_format_and_leads_to_the_rdf(merged):
    _, app, ids = merged
    client = app.test_client()
    r = client.get(f"/statement/chronicle/{ids['merged']}?format=turtle")
    assert r.status_code == 301 and r.headers["Location"] == f"/statement/chronicle/{ids['kept']}?format=turtle"
    r = client.get(f"/statement/chronicle/{ids['merged']}", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    assert (rdflib.URIRef(BASE + ids["kept"]), dct.replaces, rdflib.URIRef(BASE + ids["merged"])) in g


def test_a_retired_statement_answers_410_with_its_reason_and_a_search(merged):
    _, app, ids = merged
    client = app.test_client()
    r = client.get(f"/statement/chronicle/{ids['retired']}", headers={"Accept": "text/html"})
    assert r.status_code == 410 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "<h1>Gone</h1>" in html and "The editor&#39;s note does not say the Soviet was dissolved." in html
    assert 'action="/search"' in html and 'value="testgrad soviet dissolved"' in html
    r = client.get(f"/statement/chronicle/{ids['retired']}", headers={"Accept": "application/json"})
    assert r.status_code == 410
    assert r.get_json()["status"] == 410 and "does not say the Soviet was dissolved" in r.get_json()["error"]
    r = client.get(f"/statement/chronicle/{ids['retired']}", headers={"Accept": "text/turtle"})
    assert r.status_code == 410 and "/search?q=testgrad+soviet+dissolved" in r.get_data(as_text=True)


def test_the_kept_statement_and_an_unknown_id_answer_as_before(merged):
    _, app, ids = merged
    client = app.test_client()
    assert client.get(f"/statement/chronicle/{ids['kept']}").status_code == 200
    assert client.get("/statement/chronicle/no-such-statement").status_code == 404


def test_the_graph_with_removed_statements_conforms_and_is_consistent(merged):
    from kg.build import ontology_graph
    from kg.reasoning import inconsistencies
    config, _, ids = merged
    g = rdflib.Graph()
    g.parse(f"{config.data_dir}/current/dumps/kg.ttl", format="turtle")
    kg = rdflib.Namespace("https://w3id.org/soviets/ontology#")
    assert (rdflib.URIRef(BASE + ids["retired"]), rdflib.RDF.type, kg.RetiredStatement) in g
    assert (rdflib.URIRef(BASE + ids["merged"]), rdflib.RDF.type, kg.Statement) not in g
    assert inconsistencies(g, ontology_graph(config)) == []
