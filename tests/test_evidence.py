"""Evidence both ways: a highlighted passage lists the statements it supports; a statement page
reads as a sentence with its stance, attribution, source and passage, linked with the highlight."""

import re

from kg.web.words import date_phrase, readable

JULIAN = "http://www.wikidata.org/entity/Q1985786"
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"


def test_julian_day_reads_in_both_calendars():
    assert date_phrase("1905-10-13", JULIAN, "1905-10-26", "1905-10-26") == \
        "13 October 1905 (O.S.) = 26 October 1905 (N.S.)"


def test_julian_month_gives_its_gregorian_bounds():
    assert date_phrase("1917-08", JULIAN, "1917-08-14", "1917-09-13") == \
        "August 1917 (O.S.) = 14 August 1917 – 13 September 1917 (N.S.)"


def test_open_calendar_says_so():
    assert "calendar not stated" in date_phrase("1905-10-13", "https://w3id.org/soviets/ontology#AmbiguousCalendar",
                                                "1905-10-13", "1905-10-26")


def test_gregorian_day_and_bare_span():
    assert date_phrase("1917-11-07", GREGORIAN, "1917-11-07", "1917-11-07") == "7 November 1917 (N.S.)"
    assert date_phrase(None, None, "1905-05-01", "1905-10-31").startswith("between 1 May 1905")


def test_terms_read_as_words():
    assert readable("https://w3id.org/soviets/ontology#partOfEvent") == "part of event"
    assert readable("https://w3id.org/soviets/ontology#EditorAttribution") == "editor"
    assert readable("plain words") == "plain words"


def test_highlighted_passage_lists_its_statements_and_statement_links_back(client):
    passage = client.get("/search.json?q=general+strike").get_json()["passages"][0]
    page = client.get(passage["url"])
    section = re.search(rb'<section class="supports".*?</section>', page.data, re.S)
    assert section and b"This passage supports" in section.group(0)
    links = re.findall(rb'href="(/statement/[^"]+)"', section.group(0))
    assert links
    statement = client.get(links[0].decode())
    assert statement.status_code == 200
    sentence = re.search(rb'<section class="statement-sentence">.*?</section>', statement.data, re.S).group(0)
    assert b"<dt>Stance</dt>" in sentence and b"<dt>Whose claim</dt>" in sentence
    back = re.search(rb'href="(/source/[^"]+\?highlight=(\d+)-(\d+)#c\d+)"', sentence)
    assert back and passage["start"] <= int(back.group(2)) < passage["end"]
