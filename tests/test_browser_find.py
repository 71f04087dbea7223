"""Finding and browsing in a real browser, at desktop and phone sizes: search → entity → passage →
statement → facet → reconciliation preview, each page checked by axe-core (vendored in
tests/fixtures/axe/) for serious or critical accessibility violations, for its width on a
390-pixel phone, and for a skip link reached first by keyboard. Screenshots and the axe counts go
to test-artifacts/browser/."""

import json
import re
from pathlib import Path

import pytest

from tests.test_browser import ARTIFACTS, browser, console_errors, css, server, shot, visible, wait  # noqa: F401

AXE = (Path(__file__).parent / "fixtures" / "axe" / "axe.min.js").read_text(encoding="utf-8")
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = ["/", "/search?q=Trotsky", "/id/trotsky", "/browse", "/queries", "/query", "/ontology", "/dumps/",
         "/source/lenin-1906?highlight=0-200", "/reconcile/preview?id=trotsky", "/id/no-such-entity"]


def axe_violations(driver) -> list[dict]:
    """axe-core's serious and critical violations of the page as shown."""
    driver.execute_script(AXE)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def axe_counts():
    counts = {}
    yield counts
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")


@pytest.mark.parametrize("size", SIZES)
def test_every_page_is_accessible_and_fits_a_phone(browser, server, axe_counts, size):
    browser.set_window_size(*SIZES[size])
    browser.set_script_timeout(30)
    problems = {}
    for path in PAGES:
        browser.get(server + path)
        wait(browser, visible("body"), f"the page {path}")
        found = axe_violations(browser)
        axe_counts[f"{size} {path}"] = len(found)
        if found:
            problems[path] = found
        if size == "phone":
            width = browser.execute_script("return document.documentElement.scrollWidth")
            if width > 390:
                problems.setdefault(path, []).append({"id": "wider-than-phone", "width": width})
    browser.set_window_size(*SIZES["desktop"])
    assert not problems, json.dumps(problems, indent=1)


def test_skip_link_comes_first_by_keyboard(browser, server):
    from selenium.webdriver.common.keys import Keys
    browser.get(server + "/browse")
    browser.find_element("tag name", "body").send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip-link" and active.is_displayed()
    active.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#main")


@pytest.mark.parametrize("size", SIZES)
def test_search_to_reconciliation_walk(browser, server, size):
    from selenium.webdriver.common.keys import Keys
    browser.set_window_size(*SIZES[size])
    browser.get_log("browser")          # what earlier pages logged (the 404 page's own 404) is not ours
    try:
        browser.get(server + "/")
        box = browser.find_element("id", "search-q")
        box.send_keys("Trotzk")
        wait(browser, lambda d: d.execute_script(
            "return [...document.querySelectorAll('#search-suggestions option')].map(o => o.value)"
        ).count("Leon Trotsky") == 1, "the autocomplete to offer Leon Trotsky")
        box.send_keys("y", Keys.ENTER)                          # the typo the texts never make
        wait(browser, visible("ol.hits a[href='/id/trotsky']"), "Trotsky among the results")
        shot(browser, f"find-{size}-1-search")
        css(browser, "ol.hits a[href='/id/trotsky']")[0].click()
        wait(browser, visible("h1"), "the entity page")
        assert "Trotsky" in browser.find_element("tag name", "h1").text
        shot(browser, f"find-{size}-2-entity")
        evidence = [a for a in css(browser, "a[href*='highlight=']") if a.is_displayed()]
        assert evidence, "an evidence link on the entity page"
        browser.get(evidence[0].get_attribute("href"))
        wait(browser, visible("section.supports li a"), "the statements the passage supports")
        assert css(browser, ".source-text mark")
        shot(browser, f"find-{size}-3-passage", scroll_to="section.supports")
        css(browser, "section.supports li a")[0].click()
        wait(browser, visible("section.statement-sentence"), "the statement as a sentence")
        shot(browser, f"find-{size}-4-statement")
        back = css(browser, "section.statement-sentence blockquote a")[0]
        assert re.search(r"highlight=\d+-\d+", back.get_attribute("href"))
        back.click()
        wait(browser, visible(".source-text mark"), "the passage highlighted again")
        browser.get(server + "/browse")
        total = browser.find_element("css selector", "main > p").text
        css(browser, "aside.facets section a")[0].click()
        wait(browser, visible("aside.facets a.on"), "a chosen facet")
        assert "?" in browser.current_url and browser.find_element("css selector", "main > p").text != total
        shot(browser, f"find-{size}-5-facet")
        browser.get(server + "/reconcile/preview?id=trotsky")
        assert "Leon Trotsky" in browser.find_element("tag name", "a").text
        shot(browser, f"find-{size}-6-preview")
        assert not console_errors(browser)
    finally:
        browser.set_window_size(*SIZES["desktop"])


def test_query_table_reads_dates_calendars_terms_and_quotes(browser, server):
    from urllib.parse import quote
    text = """PREFIX kg: <https://w3id.org/soviets/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?st ?p ?date ?calendar ?quote WHERE {
  ?st rdf:subject <https://w3id.org/soviets/id/petersburg-soviet-1905> ; rdf:predicate ?p ;
      kg:startTime|kg:pointInTime|kg:value ?date ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
  ?date kg:calendarModel ?calendar } LIMIT 20"""
    browser.get(f"{server}/query?query={quote(text)}")
    wait(browser, visible("#view-table table.results a.date"), "dates spelled out in the table")
    cells = browser.find_element("css selector", "#view-table table.results").text
    assert "(O.S.) =" in cells and "(N.S.)" in cells and "Julian calendar (O.S.)" in cells
    assert "ontology#" not in cells and "wd:Q1985786" not in cells
    assert css(browser, "#view-table a.quote[href*='highlight=']")
    # dates and calendar models are no edges between entities: no graph view is offered
    assert browser.find_element("css selector", ".views button[data-view=graph]").get_attribute("disabled")


@pytest.mark.parametrize("size", SIZES)
def test_the_presidents_of_the_1905_soviet_draw_as_a_timeline(browser, server, size):
    browser.set_window_size(*SIZES[size])
    try:
        browser.get(server + "/query?example=petersburg-soviet-presidents-timeline")
        items = wait(browser, visible("#view-timeline .vis-item"), "the presidents' timeline")
        labels = browser.find_element("css selector", "#view-timeline").text
        assert len(items) == 2 and "Georgy Khrustalev-Nosar" in labels and "Leon Trotsky" in labels
        shot(browser, f"find-{size}-7-presidents-timeline")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= SIZES[size][0]
    finally:
        browser.set_window_size(*SIZES["desktop"])
