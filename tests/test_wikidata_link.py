"""`kg link`: proposals as SSSOM, accepting reviewed rows, re-checking links, against the stand-in."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import sssom
from kg.cli import main
from kg.errors import WikidataUnavailable
from kg.registry import load_registry
from kg.matching import Dates, score, similarity
from kg.wikidata import Item, WikidataClient
from tests.wikidata_standin import StandIn
from tests.conftest import FIXTURE_CORPUS, WIKIDATA_FIXTURES

LINK_CORPUS = WIKIDATA_FIXTURES / "corpus"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def link_corpus(tmp_path) -> Path:
    dest = tmp_path / "sources"
    shutil.copytree(LINK_CORPUS, dest)
    return dest


def env(sources, standin, **extra):
    return {"KG_SOURCES_DIR": str(sources), "KG_WIKIDATA_SEARCH_URL": standin.search_url,
            "KG_WIKIDATA_SPARQL_URL": standin.sparql_url, "KG_WIKIDATA_TIMEOUT_S": "5", **extra}


def propose(runner, sources, standin, out):
    result = runner.invoke(main, ["link", "--out", str(out)], env=env(sources, standin))
    assert result.exit_code == 0, result.output
    return result


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- proposals --

def test_propose_writes_the_candidates_as_sssom(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "proposals.sssom.tsv"
    result = propose(runner, link_corpus, standin, out)
    assert "proposed 8 candidate links for 5 of 9 unlinked entities" in result.output
    assert "1 dates conflict" in result.output and "2 wrong type" in result.output
    ms = sssom.read(out)
    pairs = {(r["subject_id"], r["object_id"]): r for r in ms.rows}
    best = pairs[("kgr:trotsky", "wd:Q33391")]
    assert float(best["confidence"]) == 1.0 and best["mapping_justification"] == "semapv:CompositeMatching"
    assert "born 1879" in best["comment"]
    # the namesake born in 1950, the film and the icebreaker are left out
    assert not {k for k in pairs if k[1] in ("wd:Q999999903", "wd:Q999999904", "wd:Q999999905")}
    # two towns called Moscow: both proposed, both lowered and marked ambiguous
    moscow = [r for k, r in pairs.items() if k[0] == "kgr:moscow"]
    assert len(moscow) == 2 and all("ambiguous" in r["comment"] and float(r["confidence"]) < 0.8 for r in moscow)
    # the full name beats the name with its parenthesis stripped
    party = sorted((r for k, r in pairs.items() if k[0] == "kgr:bolshevik-party"),
                   key=lambda r: -float(r["confidence"]))
    assert party[0]["object_id"] == "wd:Q1774814"
    assert not (link_corpus / "wikidata" / "proposals.sssom.tsv").exists()


def test_the_mapping_set_follows_the_sssom_tsv_format(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "p.sssom.tsv"
    propose(runner, link_corpus, standin, out)
    lines = out.read_text(encoding="utf-8").split("\n")
    meta = [l for l in lines if l.startswith("#")]
    assert lines[:len(meta)] == meta, "the metadata block comes first, every line #-prefixed"
    assert meta[0] == "#curie_map:", "canonical writers put the curie_map first"
    ms = sssom.read(out)
    assert ms.metadata["mapping_set_id"] == "https://w3id.org/soviets/mappings/p"
    assert ms.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert ms.metadata["curie_map"]["wd"] == "http://www.wikidata.org/entity/"
    assert ms.metadata["curie_map"]["kgr"] == "https://w3id.org/soviets/id/"
    assert not set(ms.metadata["curie_map"]) & set(sssom.BUILTIN_PREFIXES), "built-in prefixes are not redeclared"
    header = lines[len(meta)].split("\t")
    assert header == [c for c in sssom.MAPPING_SLOTS if c in header], "columns in the spec's slot order"
    for col in ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
                "mapping_justification", "confidence", "comment", "reviewer_label"):
        assert col in header
    for r in ms.rows:
        assert r["predicate_id"] == "skos:exactMatch"
        assert r["object_id"].startswith("wd:Q") and r["subject_id"].startswith("kgr:")
        assert r["mapping_justification"] in ("semapv:LexicalMatching", "semapv:CompositeMatching")
        assert 0 <= float(r["confidence"]) <= 1
        assert not r["reviewer_label"], "proposals are unreviewed"


def test_propose_does_not_overwrite_a_file_under_review(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "p.sssom.tsv"
    out.write_text("being reviewed")
    result = runner.invoke(main, ["link", "--out", str(out)], env=env(link_corpus, standin))
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_text() == "being reviewed"


def test_propose_for_one_entity(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "p.sssom.tsv"
    result = runner.invoke(main, ["link", "--entity", "kyiv", "--out", str(out)], env=env(link_corpus, standin))
    assert result.exit_code == 0, result.output
    assert [(r["subject_id"], r["object_id"]) for r in sssom.read(out).rows] == [("kgr:kyiv", "wd:Q1899")]
    bad = runner.invoke(main, ["link", "--entity", "atlantis", "--out", str(out), "--force"],
                        env=env(link_corpus, standin))
    assert bad.exit_code == 2 and "atlantis" in bad.output


# -- accepting reviewed rows --

def review(path: Path, accept: dict, refuse=(), edit=None) -> None:
    """Play the reviewer: fill reviewer_label on accepted (subject, object) rows, Not on refused ones."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, l in enumerate(lines) if not l.startswith("#"))
    header = lines[start].split("\t")
    for i in range(start + 1, len(lines)):
        if not lines[i]:
            continue
        cells = dict(zip(header, lines[i].split("\t")))
        key = (cells["subject_id"], cells["object_id"])
        if key in accept:
            cells.update(reviewer_label="A. Reviewer", review_date="2024-05-01", **accept[key])
        if key in refuse:
            cells["predicate_modifier"] = "Not"
        lines[i] = "\t".join(cells[h] for h in header)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_accept_takes_reviewed_rows_into_the_links_file(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "p.sssom.tsv"
    propose(runner, link_corpus, standin, out)
    entity_files = snapshot(link_corpus / "entities")
    review(out, {("kgr:trotsky", "wd:Q33391"): {}, ("kgr:lenin", "wd:Q1394"): {"reviewer_id": "orcid:0000-0002-1825-0097"}},
           refuse={("kgr:bolshevik-party", "wd:Q204911")})
    result = runner.invoke(main, ["link", "--accept", str(out)], env=env(link_corpus, standin))
    assert result.exit_code == 0, result.output
    assert "accepted 2 links" in result.output and "1 refused" in result.output
    assert "5 unreviewed" in result.output
    assert snapshot(link_corpus / "entities") == entity_files, "entity files are never rewritten"
    registry = load_registry(link_corpus)
    trotsky, lenin = registry["trotsky"], registry["lenin"]
    assert trotsky.wikidata == "Q33391" and lenin.wikidata == "Q1394"
    assert trotsky.link.reviewer == "A. Reviewer" and trotsky.link.date == "2024-05-01"
    assert trotsky.link.confidence == 1.0 and trotsky.link.justification == "semapv:CompositeMatching"
    assert trotsky.link.mapping_set == "https://w3id.org/soviets/mappings/p"
    assert lenin.link.reviewer_id == "https://orcid.org/0000-0002-1825-0097"
    assert "reviewed by A. Reviewer" in trotsky.link.basis
    # accepting the same file again adds nothing
    again = runner.invoke(main, ["link", "--accept", str(out)], env=env(link_corpus, standin))
    assert again.exit_code == 0 and "accepted 0 links" in again.output and "2 already linked" in again.output


def test_accepted_links_carry_their_provenance_into_the_graph(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "p.sssom.tsv"
    propose(runner, link_corpus, standin, out)
    review(out, {("kgr:trotsky", "wd:Q33391"): {}})
    assert runner.invoke(main, ["link", "--accept", str(out)], env=env(link_corpus, standin)).exit_code == 0
    data = tmp_path / "data"
    built = runner.invoke(main, ["build"], env={"KG_SOURCES_DIR": str(link_corpus), "KG_DATA_DIR": str(data)})
    assert built.exit_code == 0 and "conforms (0 violations)" in built.output, built.output
    from kg.store import open_store
    q = """PREFIX kg: <https://w3id.org/soviets/ontology#>
    SELECT ?item ?confidence ?reviewer ?justification ?basis WHERE { GRAPH <https://w3id.org/soviets/graph/links> {
      ?link a kg:WikidataLink ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <https://w3id.org/soviets/id/trotsky> ;
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?item ; kg:linkConfidence ?confidence ;
        kg:linkReviewer ?reviewer ; kg:linkJustification ?justification ; kg:linkBasis ?basis } }"""
    rows = list(open_store(str(data)).query(q))
    assert len(rows) == 1
    assert rows[0]["item"].value == "http://www.wikidata.org/entity/Q33391"
    assert float(rows[0]["confidence"].value) == 1.0 and rows[0]["reviewer"].value == "A. Reviewer"
    assert rows[0]["justification"].value == "https://w3id.org/semapv/vocab/CompositeMatching"
    verified = """PREFIX kg: <https://w3id.org/soviets/ontology#>
    SELECT ?basis WHERE { <https://w3id.org/soviets/id/stalin#wikidata-link> kg:linkBasis ?basis }"""
    basis = [r["basis"].value for r in open_store(str(data)).query(verified)]
    assert basis and "verified-qids.tsv" in basis[0]


def test_accept_a_hand_written_reviewed_file(runner, link_corpus, standin):
    """Quoted values (a tab and doubled quotes in a comment) read as the SSSOM/TSV spec says."""
    reviewed = WIKIDATA_FIXTURES / "reviewed.sssom.tsv"
    ms = sssom.read(reviewed)
    assert ms.rows[0]["comment"] == 'Checked: the "Leon Trotsky" of the 1905 Soviet;\tborn 1879'
    assert ms.rows[1]["_line"] == 12
    result = runner.invoke(main, ["link", "--accept", str(reviewed)], env=env(link_corpus, standin))
    assert result.exit_code == 0, result.output
    assert "accepted 2 links" in result.output and "1 unreviewed, 1 refused" in result.output
    assert load_registry(link_corpus)["lenin"].link.justification == "semapv:LexicalMatching"


def test_accept_a_malformed_wikidata_id_changes_nothing(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "p.sssom.tsv"
    propose(runner, link_corpus, standin, out)
    before = snapshot(link_corpus)
    out.write_text(out.read_text(encoding="utf-8").replace("wd:Q33391\t", "wd:Q33391x\t"), encoding="utf-8")
    review(out, {("kgr:trotsky", "wd:Q33391x"): {}, ("kgr:lenin", "wd:Q1394"): {}})
    asked = len(standin.requests)
    result = runner.invoke(main, ["link", "--accept", str(out)], env=env(link_corpus, standin))
    assert result.exit_code == 2
    assert 'field "object_id": \'wd:Q33391x\' is not a Wikidata item' in result.output
    assert snapshot(link_corpus) == before, "the registry is unchanged, the good row included"
    assert len(standin.requests) == asked, "nothing was asked of Wikidata"


def test_accept_an_item_wikidata_does_not_have_changes_nothing(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "p.sssom.tsv"
    propose(runner, link_corpus, standin, out)
    before = snapshot(link_corpus)
    out.write_text(out.read_text(encoding="utf-8").replace("wd:Q1394\t", "wd:Q999999992\t"), encoding="utf-8")
    review(out, {("kgr:lenin", "wd:Q999999992"): {}})
    result = runner.invoke(main, ["link", "--accept", str(out)], env=env(link_corpus, standin))
    assert result.exit_code == 2
    assert "Q999999992: does not exist on Wikidata" in result.output
    assert snapshot(link_corpus) == before


def test_accept_refuses_a_second_link_for_one_item(runner, link_corpus, standin, tmp_path):
    out = tmp_path / "p.sssom.tsv"
    propose(runner, link_corpus, standin, out)
    out.write_text(out.read_text(encoding="utf-8").replace("wd:Q1394\t", "wd:Q855\t"), encoding="utf-8")
    review(out, {("kgr:lenin", "wd:Q855"): {}})
    result = runner.invoke(main, ["link", "--accept", str(out)], env=env(link_corpus, standin))
    assert result.exit_code == 2 and "Q855 is already the link of stalin" in result.output


def test_accept_a_file_that_is_not_sssom(runner, link_corpus, standin, tmp_path):
    bad = tmp_path / "bad.sssom.tsv"
    bad.write_text("subject_id\tobject_id\nkgr:lenin\twd:Q1394\n", encoding="utf-8")
    result = runner.invoke(main, ["link", "--accept", str(bad)], env=env(link_corpus, standin))
    assert result.exit_code == 2 and "no metadata block" in result.output


# -- a broken Wikidata: clear messages, nothing written --

@pytest.mark.parametrize("fault, message", [("slow", "did not answer within 0.5 s"),
                                            ("error-page", "answered 502 Bad Gateway: Wikimedia Error"),
                                            ("html", "error page (text/html; charset=utf-8), not JSON")])
def test_a_broken_service_is_a_clear_error_and_changes_nothing(runner, link_corpus, standin, tmp_path,
                                                               fault, message):
    out = tmp_path / "p.sssom.tsv"
    propose(runner, link_corpus, standin, out)
    review(out, {("kgr:trotsky", "wd:Q33391"): {}})
    before = snapshot(link_corpus)
    standin.fault, standin.delay_s = fault, 1.5
    e = env(link_corpus, standin, KG_WIKIDATA_TIMEOUT_S="0.5")
    for args in (["link", "--accept", str(out)], ["link", "--check"],
                 ["link", "--out", str(tmp_path / "again.sssom.tsv")]):
        result = runner.invoke(main, args, env=e)
        assert result.exit_code == 3, (args, result.output)
        assert message in result.output, result.output
    assert snapshot(link_corpus) == before
    assert not (tmp_path / "again.sssom.tsv").exists()


def test_an_error_answer_from_the_search_api_is_reported(standin):
    from kg.wikidata import search_params
    standin.add({"api": "search", "request": {"params": search_params("x")}, "status": 200,
                 "content_type": "application/json",
                 "body": {"error": {"code": "badvalue", "info": "Unrecognized value for parameter"}}})
    client = WikidataClient(standin.search_url, standin.sparql_url, 5)
    with pytest.raises(WikidataUnavailable, match="refused the search for 'x': badvalue"):
        client.search("x")


def test_a_request_with_no_recording_fails_loudly(standin):
    client = WikidataClient(standin.search_url, standin.sparql_url, 5)
    with pytest.raises(WikidataUnavailable, match="no recorded response"):
        client.search("Atlantis")


def test_a_type_table_wikidata_labels_otherwise_is_refused(tmp_path):
    import json
    from kg.wikidata import check_type_table, type_table_query
    exchange = json.loads(next((WIKIDATA_FIXTURES / "exchanges").glob("sparql--Q5-Q7278-*.json")).read_text())
    exchange["body"]["results"]["bindings"][0]["label"]["value"] = "Italian poet"
    with StandIn() as server:
        server.add(exchange)
        assert exchange["request"]["query"] == type_table_query()
        with pytest.raises(WikidataUnavailable, match="type table .* Q5 is labelled 'Italian poet'"):
            check_type_table(WikidataClient(server.search_url, server.sparql_url, 5))


# -- re-checking links --

def test_check_reports_the_links_that_drifted(runner, standin):
    result = runner.invoke(main, ["link", "--check"], env=env(LINK_CORPUS, standin))
    assert result.exit_code == 1, result.output
    out = result.output
    assert "ghost-party (Q999999990): does not exist on Wikidata" in out
    assert "merged-person (Q999999991): is a redirect: it was merged into Q33391" in out
    assert "ivanovo-mislinked (Q2630): is not a human (Q5)" in out
    assert "mensheviks (Q191515): label changed from 'Menshevik faction' to 'Mensheviks'" in out
    assert "stalin" not in out.split("checked")[0] and "saint-petersburg" not in out
    assert "checked 6 links (Person 3, City 1, Faction 1, Party 1): 4 drifted" in out


def test_check_passes_when_nothing_drifted(runner, standin):
    result = runner.invoke(main, ["link", "--check"], env=env(FIXTURE_CORPUS, standin))
    assert result.exit_code == 0, result.output
    assert "checked 1 links (Person 1): 0 drifted" in result.output


# -- the registry's links file --

def test_a_link_for_an_unknown_entity_is_an_error(link_corpus):
    path = link_corpus / "wikidata" / "links.yaml"
    path.write_text(path.read_text() + "- {id: atlantis, wikidata: Q1394, wikidata_basis: test}\n")
    result = CliRunner().invoke(main, ["check"], env={"KG_SOURCES_DIR": str(link_corpus)})
    assert result.exit_code == 2
    assert "links.yaml:12:" in result.output and "no entity 'atlantis'" in result.output


def test_a_second_link_for_an_entity_or_an_item_is_an_error(link_corpus):
    path = link_corpus / "wikidata" / "links.yaml"
    path.write_text(path.read_text() + "- {id: stalin, wikidata: Q1394, wikidata_basis: test}\n"
                    "- {id: lenin, wikidata: Q855, wikidata_basis: test}\n")
    result = CliRunner().invoke(main, ["check"], env={"KG_SOURCES_DIR": str(link_corpus)})
    assert result.exit_code == 2
    assert "stalin is already linked to Q855" in result.output
    assert "Q855 is already the Wikidata link of" in result.output


@pytest.mark.parametrize("entry, message", [
    ("{id: lenin, wikidata: 'Q12x', wikidata_basis: test}", "is not a Wikidata item id"),
    ("{id: lenin, wikidata: Q1394}", 'field "wikidata_basis": required'),
    ("{id: lenin, wikidata: Q1394, wikidata_basis: test, wikidata_confidence: 2}", "not a confidence"),
    ("{id: lenin, wikidata: Q1394, wikidata_basis: test, wikidata_justification: guess}", "unknown justification"),
])
def test_a_bad_links_entry_names_its_line_and_field(link_corpus, entry, message):
    path = link_corpus / "wikidata" / "links.yaml"
    path.write_text(path.read_text() + f"- {entry}\n")
    result = CliRunner().invoke(main, ["check"], env={"KG_SOURCES_DIR": str(link_corpus)})
    assert result.exit_code == 2 and "links.yaml:12:" in result.output and message in result.output


# -- scoring --

class E:
    def __init__(self, label, cls="Person", aliases=(), label_ru=None):
        self.id, self.label, self.cls, self.aliases, self.label_ru = "e", label, cls, list(aliases), label_ru


def test_similarity_ignores_case_accents_punctuation_and_word_order():
    assert similarity("St. Petersburg", "st petersburg") == 1.0
    assert similarity("Liepāja", "Liepaja") == 1.0
    assert similarity("Trotsky, Leon", "Leon Trotsky") == 1.0
    assert similarity("Lenin", "Stalin") < 0.6


def test_a_person_born_after_our_dates_is_rejected():
    item = Item("Q1", exists=True, label="Leon Trotsky", types={"Q5"}, has_class=True, years={"born": 1950})
    c = score(E("Leon Trotsky"), Dates(first=1905, last=1905), item)
    assert c.reject_kind == "dates conflict" and "born 1950" in c.rejected


def test_a_body_founded_in_another_year_is_rejected():
    item = Item("Q1", exists=True, label="Petrograd Soviet", types={"Q43229"}, has_class=True,
                years={"inception": 1917})
    c = score(E("Petrograd Soviet", "CitySoviet"), Dates(first=1905, last=1905, founded=1905), item)
    assert c.reject_kind == "dates conflict" and "founded 1917 on Wikidata, 1905 in our sources" in c.rejected


def test_no_class_on_wikidata_is_weaker_but_not_a_rejection():
    item = Item("Q1", exists=True, label="Leon Trotsky")
    c = score(E("Leon Trotsky"), Dates(), item)
    assert not c.rejected and c.confidence == 0.67 and c.justification == "semapv:LexicalMatching"


def test_the_record_command_saves_what_the_services_answer(standin, tmp_path, monkeypatch):
    """`python -m tests.wikidata_standin record`, with the stand-in playing the real services."""
    import json
    from tests.wikidata_standin import record_main
    monkeypatch.setenv("KG_SOURCES_DIR", str(FIXTURE_CORPUS))
    monkeypatch.setenv("KG_WIKIDATA_SEARCH_URL", standin.search_url)
    monkeypatch.setenv("KG_WIKIDATA_SPARQL_URL", standin.sparql_url)
    record_main(["record", str(tmp_path / "rec"), "--", "link", "--check"])
    saved = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "rec").glob("*.json")}
    assert len(saved) == 2, "the type table and the facts of Q33391"
    for name, exchange in saved.items():
        original = json.loads((WIKIDATA_FIXTURES / "exchanges" / name).read_text(encoding="utf-8"))
        assert exchange["request"] == original["request"] and exchange["body"] == original["body"]
        assert exchange["recorded"]


def test_an_event_of_another_time_is_rejected_and_one_of_ours_agrees():
    revolution = E("Russian Revolution of 1905", "Revolution")
    later = Item("Q1", exists=True, label="Russian Revolution of 1905", types={"Q1190554"}, has_class=True,
                 years={"point": 1917})
    assert score(revolution, Dates(first=1905, last=1906), later).reject_kind == "dates conflict"
    right = Item("Q2", exists=True, label="Russian Revolution of 1905", types={"Q1190554"}, has_class=True,
                 years={"start": 1905, "end": 1907})
    c = score(revolution, Dates(first=1905, last=1906), right)
    assert not c.rejected and c.confidence == 1.0 and "dates agree: happened 1905–1907" in c.notes


def test_a_faction_may_stand_where_a_party_may():
    """Bolsheviks and Mensheviks are political factions on Wikidata (Q1393724), not parties."""
    faction = Item("Q83372", exists=True, label="Bolsheviks", types={"Q1393724"}, has_class=True)
    for cls in ("Party", "Faction"):
        c = score(E("Bolsheviks", cls), Dates(), faction)
        assert not c.rejected and c.type_ok, (cls, c.notes)
        assert "political faction (Q1393724)" in "; ".join(c.notes)
    newspaper_firm = Item("Q1", exists=True, label="Bolsheviks", types={"Q43229"}, has_class=True)
    assert score(E("Bolsheviks", "Party"), Dates(), newspaper_firm).reject_kind == "wrong type"


def test_the_stand_in_records_the_factions_as_wikidata_types_them(standin):
    from kg.wikidata import fetch_items
    client = WikidataClient(standin.search_url, standin.sparql_url, 5)
    items = fetch_items(client, ["Q204911", "Q1774814", "Q83372"])
    assert items["Q83372"].types == {"Q1393724"} and "Q7278" in items["Q204911"].types
