"""The web interface in a real browser: headless Debian Chromium driven by Selenium through Debian's
chromium-driver (never a downloaded browser), against the real server. A historian's path: the
home page, an example question run and edited, its answer as a table, a timeline and a graph, an
entity page, and an evidence link followed to the passage of the source.

Screenshots go to test-artifacts/browser/; the figures (page weight, time to first result) to
test-artifacts/browser/figures.json."""

import json
import shutil
import subprocess
import time

import pytest
import requests

from kg.config import PROJECT_ROOT
from tests.conftest import running_server

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
         "--window-size=1280,900"]
WAIT_S = 20



@pytest.fixture(scope="module", autouse=True)
def chromium_installed():
    """These tests fail, never skip, without a browser: CI must not pass them by not running them."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("Debian's chromium and chromium-driver are not installed, so the browser tests cannot run "
                    "(`make test` installs them with apt-get)")


@pytest.fixture(scope="module")
def server(built_corpus):
    with running_server(built_corpus[0].data_dir, threads=4) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT_S)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def figures():
    out = {}
    yield out
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "figures.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


def wait(driver, condition, what: str):
    """Wait for a condition; on a timeout, keep a screenshot and the console of what the page showed."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        return WebDriverWait(driver, WAIT_S).until(condition)
    except TimeoutException:
        name = "failed-" + "".join(c if c.isalnum() else "-" for c in what)
        shot(driver, name)
        raise AssertionError(f"waited {WAIT_S} s for {what} at {driver.current_url}; see {name}.png; "
                             f"console: {driver.get_log('browser')}") from None


def css(driver, selector):
    from selenium.webdriver.common.by import By
    return driver.find_elements(By.CSS_SELECTOR, selector)


def visible(selector):
    def check(driver):
        found = [e for e in css(driver, selector) if e.is_displayed()]
        return found or False
    return check


def shot(driver, name: str, scroll_to: str | None = None) -> None:
    if scroll_to:
        driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", scroll_to)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def runs(driver) -> int:
    return int(driver.execute_script("return document.body.dataset.runs || '0'"))


def run_count_above(n):
    return lambda driver: runs(driver) > n


def same_origin_only(driver, server):
    """Every resource the page loaded came from our server: nothing from a CDN."""
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    others = [u for u in urls if not u.startswith(server) and not u.startswith("data:")]
    assert not others, others


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def editor_text(driver) -> str:
    return driver.execute_script("return window.kgQueryPage.getText()")


def test_home_page(browser, server):
    browser.get(server + "/")
    assert "The open knowledge graph of the soviets" in browser.find_element("tag name", "h1").text
    assert css(browser, "ul.counts li") and css(browser, "table.sources tr")
    shot(browser, "01-home")
    same_origin_only(browser, server)
    assert not console_errors(browser)


def test_example_query_runs_to_a_table(browser, server, figures):
    from selenium.webdriver.support.ui import Select
    browser.get(server + "/")
    css(browser, ".cards a[href='/query']")[0].click()
    wait(browser, visible(".cm-editor"), "the editor")
    assert not css(browser, "#results:not([hidden])")        # nothing runs until asked
    Select(browser.find_element("id", "examples")).select_by_value("julian-months-and-spans")
    wait(browser, visible("#view-table table.results"), "the result table")
    expected = len(requests.get(server + "/queries/julian-months-and-spans.json").json()["results"]["bindings"])
    assert len(css(browser, "#view-table tbody tr")) == expected > 10
    wait(browser, lambda d: "Revolutsionnaya Rossiya" in d.find_element("id", "view-table").text, "labels")
    link = css(browser, "#view-table tbody tr td a.term")[0]
    assert link.get_attribute("href").startswith(server + "/")              # an IRI as a link to its page
    assert "example=julian-months-and-spans" in browser.current_url            # the URL shares it
    assert browser.find_element("id", "status").text.startswith(f"{expected} rows")
    shot(browser, "02-table", ".result-bar")
    assert not console_errors(browser)


def test_time_to_first_result_and_page_weight(browser, server, figures):
    """Measured with the cache off, as a first visit: from navigation start to the drawn table."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        browser.get(server + "/query?example=julian-months-and-spans")
        wait(browser, visible("#view-table table.results"), "the result table")
    finally:
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    first = browser.execute_script("return performance.getEntriesByName('kg-first-result')[0].startTime")
    weight = browser.execute_script("""
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource').filter(e => e.initiatorType !== 'fetch');
        return {transferred: nav.transferSize + res.reduce((n, e) => n + e.transferSize, 0),
                decoded: nav.decodedBodySize + res.reduce((n, e) => n + e.decodedBodySize, 0),
                files: 1 + res.length};""")
    figures["first_result_ms"] = round(first)
    figures["query_page_weight"] = weight
    assert first < 10_000
    assert weight["decoded"] < 1_000_000         # the editor page without the (lazily loaded) views


def test_switch_to_timeline_and_back(browser, server):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.action_chains import ActionChains
    browser.get(server + "/query?example=julian-months-and-spans")
    wait(browser, visible("#view-table table.results"), "the result table")
    wait(browser, lambda d: d.find_element("css selector", ".views button[data-view=timeline]").is_enabled(),
         "the timeline view to be offered")
    css(browser, ".views button[data-view=timeline]")[0].click()
    items = wait(browser, visible("#view-timeline .vis-item.vis-range"), "timeline items")
    assert len(items) >= 10                      # a Julian month is a range of Gregorian days, not a point
    assert "view=timeline" in browser.current_url
    browser.execute_script("document.getElementById('view-timeline').scrollIntoView()")
    time.sleep(0.5)                             # vis-timeline lays items out again after the first paint
    for attempt in range(5):                    # and may redraw an item between finding and clicking it
        item = browser.execute_script("""
            const box = document.querySelector('#view-timeline .vis-center').getBoundingClientRect();
            return [...document.querySelectorAll('#view-timeline .vis-item.vis-range')].find(e => {
                const r = e.getBoundingClientRect();
                return r.top >= box.top && r.bottom <= box.bottom && r.top >= 0 && r.bottom <= innerHeight; });""")
        try:
            ActionChains(browser).move_to_element(item).click().perform()
            break
        except StaleElementReferenceException:
            time.sleep(0.3)
    else:
        pytest.fail("every timeline item found was redrawn before it could be clicked")
    wait(browser, visible("#detail dl"), "the detail of a timeline item")
    shot(browser, "03-timeline")
    css(browser, ".views button[data-view=table]")[0].click()
    wait(browser, visible("#view-table table.results"), "the table again")
    same_origin_only(browser, server)
    assert not console_errors(browser)


def test_edit_complete_and_run(browser, server):
    from selenium.webdriver.common.keys import Keys
    browser.get(server + "/query?example=soviets-of-1905")
    wait(browser, visible("#view-table table.results"), "the result table")
    before = runs(browser)
    content = wait(browser, visible(".cm-content"), "the editor")[0]
    content.click()
    content.send_keys(Keys.CONTROL, Keys.END)
    content.send_keys(Keys.ENTER, "LIMIT 3")
    content.send_keys(Keys.CONTROL, Keys.ENTER)
    wait(browser, run_count_above(before), "the edited query to run")
    assert len(css(browser, "#view-table tbody tr")) == 3
    assert "LIMIT+3" in browser.current_url or "LIMIT%203" in browser.current_url   # the edit is in the URL
    # Completion: a prefix that the query lacks is declared when its term is chosen.
    browser.execute_script("window.kgQueryPage.setText('SELECT * WHERE { ?s a  } LIMIT 1')")
    content.click()
    content.send_keys(Keys.CONTROL, Keys.HOME)
    for _ in range("SELECT * WHERE { ?s a ".__len__()):
        content.send_keys(Keys.ARROW_RIGHT)
    content.send_keys("kg:Sovi")
    options = wait(browser, visible(".cm-tooltip-autocomplete li"), "the completion list")
    assert any(o.text.startswith("Soviet") for o in options)
    shot(browser, "04-completion")
    content.send_keys(Keys.ENTER)
    text = editor_text(browser)
    assert "PREFIX kg: <https://w3id.org/soviets/ontology#>" in text and "?s a kg:Soviet" in text, text
    assert not console_errors(browser)


def test_error_shows_the_endpoint_message(browser, server):
    from urllib.parse import quote
    browser.get(server + "/query?query=" + quote("SELECT ?x WHERE { ?x"))
    error = wait(browser, visible("#error"), "the error")[0]
    assert error.text.startswith("400 ") and "SPARQL syntax error" in error.text    # the endpoint's own words
    shot(browser, "05-error")
    errors = console_errors(browser)            # the browser logs the 400 itself; nothing else
    assert errors and all("400" in e for e in errors), errors


def test_graph_view(browser, server):
    browser.get(server + "/query?example=party-seats-in-soviets")
    wait(browser, visible("#view-graph canvas"), "the graph")
    assert browser.find_element("css selector", ".views button[aria-selected=true]").text == "Graph"
    nodes = browser.execute_script("return document.querySelector('#view-graph .legend').textContent")
    assert "party or faction" in nodes and "soviet" in nodes
    time.sleep(0.3)                 # the canvas paints on the next frame
    shot(browser, "06-graph", ".result-bar")
    assert not console_errors(browser)


def test_entity_page_and_evidence_link_to_the_passage(browser, server):
    browser.get(server + "/query?example=soviets-of-1905")
    wait(browser, lambda d: "St Petersburg" in d.find_element("id", "view-table").text, "labels")
    entity = next(a for a in css(browser, "#view-table a.term") if a.get_attribute("href").endswith("/id/petersburg-soviet-1905"))
    entity.click()
    wait(browser, visible("ol.timeline"), "the entity page with its timeline")
    assert "St Petersburg Soviet of Workers' Deputies (1905)" in browser.find_element("tag name", "h1").text
    assert len(css(browser, ".tl-axis .tl-mark")) >= 10
    shot(browser, "07-entity")
    evidence = css(browser, "ol.timeline a.evidence")[0]
    href = evidence.get_attribute("href")
    start, end = href.split("highlight=")[1].split("#")[0].split("-")
    evidence.click()
    mark = wait(browser, visible(".source-text mark"), "the highlighted passage")[0]
    assert browser.current_url.endswith(f"#c{start}")
    box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, innerHeight]", mark)
    assert 0 <= box[0] < box[2]                      # scrolled into view
    text = browser.execute_script("return document.querySelector('.source-text').textContent")
    assert mark.text.strip() and mark.text.strip() in text[int(start):int(end) + 5]
    shot(browser, "08-source-passage")
    same_origin_only(browser, server)
    assert not console_errors(browser)


def test_ask_and_construct_results(browser, server):
    from urllib.parse import quote
    browser.get(server + "/query?query=" + quote("ASK { ?s a <https://w3id.org/soviets/ontology#Soviet> }"))
    assert "yes (true)" in wait(browser, visible("#view-table .boolean"), "the answer")[0].text
    construct = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (?s = <https://w3id.org/soviets/id/trotsky> "
                 "|| ?o = <https://w3id.org/soviets/id/trotsky>) }")
    browser.get(server + "/query?view=graph&query=" + quote(construct))
    wait(browser, visible("#view-graph canvas"), "the graph of a CONSTRUCT")
    assert browser.find_element("id", "download-json").text == "N-Triples"
    time.sleep(0.3)
    shot(browser, "09-construct-graph", ".result-bar")
    css(browser, "#share")[0].click()
    wait(browser, lambda d: d.find_element("id", "share").text == "Link copied", "the link to be copied")
    assert not console_errors(browser)


def test_a_result_iri_of_another_scheme_is_text_not_a_link(browser, server):
    from urllib.parse import quote
    q = "SELECT ?x WHERE { VALUES ?x { <javascript:alert(document.domain)> <https://example.org/a> } }"
    browser.get(server + "/query?query=" + quote(q))
    wait(browser, visible("#view-table table.results"), "the result table")
    hrefs = [a.get_attribute("href") for a in css(browser, "#view-table a")]
    assert hrefs == ["https://example.org/a"], hrefs
    assert [e.get_attribute("title") for e in css(browser, "#view-table .unlinked")] == ["javascript:alert(document.domain)"]
    assert not console_errors(browser)
