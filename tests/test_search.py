"""Search by name and by the words of the texts: the index built with each build, /search, /search/suggest."""

import pytest

from kg.search import INDEX_FILE, SearchIndex, fold, paragraphs


@pytest.mark.parametrize("spelling", ["Trotsky", "Trotski", "Trotzky", "Троцкий", "TROTSKY"])
def test_transliteration_variants_fold_to_one_key(spelling):
    assert fold(spelling) == fold("Trotsky") == "trotski"


def test_fold_drops_accents_and_punctuation():
    assert fold("Liepāja,  Libau!") == fold("liepaja libau") and fold("Libau!") == "libau"


def test_paragraphs_are_runs_of_lines_between_blank_lines():
    text = "one\ntwo\n\n  three\n\n\nfour"
    assert [text[a:b] for a, b in paragraphs(text)] == ["one\ntwo", "three", "four"]


@pytest.fixture(scope="module")
def index(built_corpus):
    from pathlib import Path
    config, _ = built_corpus
    ix = SearchIndex(Path(config.data_dir) / "current" / INDEX_FILE)
    yield ix
    ix.close()


@pytest.mark.parametrize("query, expected", [
    ("Trotzky", "trotsky"), ("Троцкий", "trotsky"), ("Khrustalev", "khrustalev-nosar"),
    ("Petrograd Soviet", "petrograd-soviet-1917"), ("St. Petersburg Soviet", "petersburg-soviet-1905"),
    ("Lenon", "lenin"),                       # a typo
])
def test_entity_search_ranks_the_named_entity_first(index, query, expected):
    hits = index.entities(query, 5)
    assert hits and hits[0].iri.endswith("/id/" + expected), [h.iri for h in hits]


@pytest.mark.parametrize("query", ["Petrograd", "Petersburg", "Moscow", "Bolsheviks", "Moscow Soviet"])
def test_a_name_matched_exactly_comes_first_whatever_the_limit(index, query):
    """The full-text match ranks only a few candidates per result asked for; a name that is exactly
    the query must not be crowded out of them by longer names sharing its words."""
    first = index.entities(query, 20)[0]
    assert first.score == 1.0, first
    assert [h.iri for h in index.entities(query, 1)] == [first.iri]


def test_alias_as_the_texts_spell_it_is_found_and_named(index):
    hit = index.entities("Petrograd", 3)[0]
    assert hit.iri.endswith("/id/saint-petersburg") and hit.matched == "Petrograd"


def test_type_filter_keeps_subclasses(index):
    hits = index.entities("Petersburg", 20, {"Soviet"})
    assert hits and all("Soviet" in h.types for h in hits)
    assert not any(h.iri.endswith("/id/saint-petersburg") for h in hits)


def test_nonsense_finds_nothing(index):
    assert index.entities("qqqxzzv", 5) == []


def test_hostile_input_is_bounded(index):
    assert index.entities("\" OR * NEAR(" * 500, 5) is not None
    assert isinstance(index.passages("\"*^():" * 1000, 5), list)


def test_passage_search_shows_statements_resting_on_the_passage(index):
    hits = index.passages("general strike", 20)
    assert hits and all("general" in h["snippet"].lower() for h in hits)
    assert any(s["predicate"].endswith("#partOfEvent") for h in hits for s in h["statements"])


def test_search_page_lists_entities_and_passages(client):
    r = client.get("/search?q=Trotzky")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert b'href="/id/trotsky"' in r.data and b"Passages of the texts" in r.data
    assert r.headers["Vary"] == "Accept"


def test_search_json_by_suffix_format_and_accept(client):
    for r in (client.get("/search.json?q=Moscow"), client.get("/search?q=Moscow&format=json"),
              client.get("/search?q=Moscow", headers={"Accept": "application/json"})):
        data = r.get_json()
        assert r.status_code == 200 and data["q"] == "Moscow"
        assert data["entities"][0]["id"].endswith("/id/moscow")
        assert all("\x01" not in p["snippet"] for p in data["passages"])
        assert all(p["url"].startswith("/source/") and "highlight=" in p["url"] for p in data["passages"])


def test_passage_link_highlights_the_passage(client):
    url = client.get("/search.json?q=general+strike").get_json()["passages"][0]["url"]
    page = client.get(url)
    assert page.status_code == 200 and b"<mark>" in page.data


def test_snippet_html_is_escaped(client):
    r = client.get("/search?q=%3Cscript%3E")
    assert r.status_code == 200 and b"<script>" not in r.data.split(b"</footer>")[0]


def test_suggest_answers_names_as_typed(client):
    r = client.get("/search/suggest?q=khrust")
    assert r.status_code == 200 and r.get_json()[0]["url"] == "/id/khrustalev-nosar"


def test_bad_limit_is_400(client):
    assert client.get("/search?q=x&limit=0").status_code == 400
    assert client.get("/search?q=x&limit=abc").status_code == 400


def test_every_page_has_the_search_box_and_a_skip_link(client):
    for path in ("/", "/queries", "/id/trotsky"):
        body = client.get(path).data
        assert b'role="search"' in body and b'class="skip-link"' in body, path


def test_unknown_id_page_offers_the_search_to_browsers(client):
    r = client.get("/id/trotzky", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert b'action="/search"' in r.data and b'value="trotzky"' in r.data


def test_unknown_id_stays_plain_text_for_other_clients(client):
    r = client.get("/id/trotzky")
    assert r.status_code == 404 and r.mimetype == "text/plain"


import pytest as _pytest  # noqa: E402

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@_pytest.mark.parametrize("path", ["/.well-known/void", "/sparql", "/graph/registry", "/shapes",
                                   "/graph?graph=https://w3id.org/soviets/graph/lenin-1906"])
def test_header_and_graph_links_show_html_to_a_browser(client, path):
    r = client.get(path, headers=BROWSER)
    assert r.status_code == 200 and r.mimetype == "text/html" and r.headers["Vary"] == "Accept"
    assert b'<pre class="turtle"' in r.data and b"<a href=" in r.data


@_pytest.mark.parametrize("path", ["/.well-known/void", "/sparql", "/graph/registry"])
def test_the_same_links_stay_rdf_for_clients(client, path):
    assert client.get(path).mimetype == "text/turtle"
    assert client.get(path, headers={"Accept": "application/rdf+xml"}).mimetype == "application/rdf+xml"


def test_the_editors_starter_query_has_no_duplicate_rows(app):
    import json
    from kg.web.pages import DEFAULT_QUERY
    rows = json.loads(app.extensions["kg_backend"].query(DEFAULT_QUERY, "results", "json"))["results"]["bindings"]
    keys = [tuple(sorted((k, v["value"]) for k, v in r.items())) for r in rows]
    assert keys and len(keys) == len(set(keys))


def test_index_holds_each_statement_once_per_passage(index):
    """Read from the default graph (each triple once): a union view over the graphs repeats a triple
    once per graph, and the repeats multiply through every join of the index's queries."""
    pairs = index.db.execute("SELECT passage, statement, COUNT(*) FROM statements GROUP BY 1, 2 HAVING COUNT(*) > 1").fetchall()
    assert pairs == []
    facts = index.db.execute("SELECT COUNT(*), COUNT(DISTINCT statement) FROM facts").fetchone()
    assert facts[0] == facts[1] > 500
