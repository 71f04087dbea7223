"""Faceted browsing: filters by class, Gregorian years, place, party, source, attribution and
stance; counts from the other choices; state in the URL; CSV and JSON of the same rows."""

import csv
import io

KG = "https://w3id.org/soviets/ontology#"
ID = "https://w3id.org/soviets/id/"


def browse(client, query=""):
    r = client.get("/browse.json" + query)
    assert r.status_code == 200, r.data
    return r.get_json()


def test_no_choice_lists_every_statement_with_counts(client, built_corpus):
    data = browse(client)
    assert data["total"] == built_corpus[1].manifest["search"]["facts"] > 500
    assert sum(f["count"] for f in data["facets"]["source"]) == data["total"]


def test_a_choice_narrows_and_other_facets_count_what_it_leaves(client):
    everything = browse(client)
    soviets = browse(client, f"?class={KG}CitySoviet".replace("#", "%23"))
    assert 0 < soviets["total"] < everything["total"]
    assert all(r["subject"] for r in soviets["rows"])
    assert sum(f["count"] for f in soviets["facets"]["source"]) == soviets["total"]
    # the class facet itself still offers the other classes (counted without its own choice)
    assert len(soviets["facets"]["class"]) == len(everything["facets"]["class"])


def test_years_are_gregorian_and_overlap_the_span(client):
    data = browse(client, "?from=1917&to=1917")
    assert data["total"] > 0
    assert all(r["earliest"] <= "1917-12-31" and r["latest"] >= "1917-01-01" for r in data["rows"])
    # Julian 25 October 1917 is Gregorian 7 November: inside 1917 either way, shown both ways
    october = [r for r in data["rows"] if r["date"].startswith("25 October 1917 (O.S.)")]
    assert october and all("7 November 1917 (N.S.)" in r["date"] for r in october)


def test_party_facet_follows_membership(client):
    data = browse(client, f"?party={ID}bolsheviks")
    assert data["total"] > 0
    assert any(r["subject"] == ID + "bolsheviks" for r in data["rows"])


def test_csv_has_the_same_rows_as_json(client):
    q = f"?source=https://w3id.org/soviets/source/lenin-1906"
    data = browse(client, q)
    r = client.get("/browse.csv" + q)
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert r.mimetype == "text/csv" and [x["statement"] for x in rows] == [x["statement"] for x in data["rows"]]


def test_html_page_links_choices_and_passages(client):
    r = client.get(f"/browse?source=https://w3id.org/soviets/source/lenin-1906&page=1")
    assert r.status_code == 200 and b'aria-current="true"' in r.data and b"?highlight=" in r.data


def test_too_many_choices_of_one_facet_are_400(client):
    many = "&".join(f"place=https://w3id.org/soviets/id/p{i}" for i in range(51))
    assert client.get("/browse?" + many).status_code == 400
    assert client.get("/browse?" + many.rsplit("&", 1)[0]).status_code == 200


def test_bad_years_and_pages_are_400(client):
    for q in ("?from=abc", "?to=19055555", "?page=0", "?page=x"):
        assert client.get("/browse" + q).status_code == 400, q
