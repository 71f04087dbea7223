"""Pages for people: home, the query editor, the ontology documentation, the entity timeline, and
the vendored browser libraries (no asset from another host)."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pytest
import rdflib

from kg.config import PROJECT_ROOT

KG = rdflib.Namespace("https://w3id.org/soviets/ontology#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
VENDOR = PROJECT_ROOT / "kg" / "web" / "static" / "vendor"


class Assets(HTMLParser):
    """The URLs a page makes the browser load: scripts, stylesheets, images, icons."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"])


def assets(html: str) -> list[str]:
    p = Assets()
    p.feed(html)
    return p.urls


def page_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize("path", ["/", "/query", "/query?example=arrests", "/ontology", "/id/trotsky",
                                  "/source/petit-2000", "/queries", "/dumps/"])
def test_pages_load_nothing_from_another_host(client, path):
    html = client.get(path).get_data(as_text=True)
    for url in assets(html):
        assert url.startswith("/") and not url.startswith("//") or url.startswith("data:"), (path, url)
        if url.startswith("/static/"):
            with client.get(url) as r:
                assert r.status_code == 200, url


@pytest.mark.parametrize("script", ["query.js", "views.js"])
def test_scripts_fetch_only_from_this_server(script):
    js = (PROJECT_ROOT / "kg" / "web" / "static" / script).read_text(encoding="utf-8")
    assert not re.search(r"""(fetch|loadOnce)\([^)]*["'`]https?:""", js)
    for call in re.findall(r"""fetch\(\s*([^,)]+)""", js):
        assert call.strip().startswith(("\"/", "`/")), call


def registered_persons() -> int:
    """Persons in the registry files, counted apart from the store the page reads."""
    from kg.registry import load_registry
    return sum(1 for e in load_registry(PROJECT_ROOT / "sources").values() if e.cls == "Person")


def test_home_shows_counts_sources_and_the_way_in(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/query"' in html and 'href="/ontology"' in html and 'href="/dumps/"' in html
    assert 'href="/.well-known/void"' in html
    assert "Andreu Nin" in html and "1932" in html and "Cuadernos de Cultura" in html   # source, author, date
    assert re.search(r'>person</a>\s*<a class="n" href="/query\?query=[^"]+"[^>]*>' + str(registered_persons()) + '</a>', html)
    assert 'href="/query?example=arrests"' in html and 'class="badge">timeline<' in html


def test_class_count_link_opens_a_query_that_lists_the_members(client):
    html = client.get("/").get_data(as_text=True)
    link = re.search(r'>person</a>\s*<a class="n" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    text = parse_qs(urlparse(link).query)["query"][0]
    r = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    assert len(r.get_json()["results"]["bindings"]) == registered_persons() > 20


def test_query_page_offers_the_examples_and_the_editor(client):
    html = client.get("/query").get_data(as_text=True)
    assert "/static/vendor/codemirror.min.js" in html and "/static/query.js" in html
    data = page_data(html)
    assert data["examples"]["arrests"]["view"] == "timeline"
    assert data["examples"]["party-seats-in-soviets"]["view"] == "graph"
    assert data["prefixes"]["kg"] == "https://w3id.org/soviets/ontology#"
    assert data["terms"]["Soviet"][0] == "class" and data["terms"]["memberOf"][0] == "property"
    assert 'data-autorun="false"' in html


def test_query_page_opens_an_example_or_a_shared_query(client):
    html = client.get("/query?example=arrests").get_data(as_text=True)
    assert "kg:wasArrested" in html and 'data-autorun="true"' in html
    assert '<option value="arrests" selected>' in html
    shared = client.get("/query", query_string={"query": "ASK { ?s ?p ?o }", "view": "table"}).get_data(as_text=True)
    assert "ASK { ?s ?p ?o }</textarea>" in shared and 'data-autorun="true"' in shared


def test_query_page_unknown_example_is_404(client):
    assert client.get("/query?example=no-such-query").status_code == 404


def ontology_terms():
    g = rdflib.Graph().parse(PROJECT_ROOT / "ontology" / "kg.ttl")
    for kind in (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty):
        for term in g.subjects(rdflib.RDF.type, kind):
            if str(term).startswith(str(KG)):
                yield str(term)[len(KG):]


def test_ontology_page_documents_every_class_and_property(client):
    html = client.get("/ontology").get_data(as_text=True)
    terms = list(ontology_terms())
    assert len(terms) > 100
    for name in terms:
        assert f'<section class="term" id="{name}">' in html, name


def test_ontology_page_shows_the_shapes_of_each_class(client):
    html = client.get("/ontology").get_data(as_text=True)
    shapes = rdflib.Graph()
    for path in (PROJECT_ROOT / "shapes").glob("*.ttl"):
        shapes.parse(path)
    pairs = [(str(s).rsplit("#", 1)[1], str(c)[len(KG):]) for s, c in shapes.subject_objects(SH.targetClass)
             if str(c).startswith(str(KG))]
    assert pairs
    for shape, cls in pairs:
        section = html[html.index(f'<section class="term" id="{cls}">'):]
        section = section[:section.index("</section>")]
        assert f'href="#shape-{shape}"' in section, (shape, cls)
        assert f'<section class="term" id="shape-{shape}">' in html
    soviet = html[html.index('<section class="term" id="Soviet">'):]
    assert "Shapes that apply through a superclass" in soviet[:soviet.index("</section>")]   # from kg:Organisation
    founded = html[html.index('<section class="term" id="founded">'):]
    assert "kgsh:Organisation-dates" in founded[:founded.index("</section>")]                 # by property path


def test_ontology_page_is_made_once_per_build(app, client):
    client.get("/ontology")
    first = app.extensions["kg_ontodoc"]
    client.get("/ontology")
    assert app.extensions["kg_ontodoc"] is first


def test_entity_timeline_joins_start_and_end_and_links_the_passage(client):
    html = client.get("/id/petersburg-soviet-1905").get_data(as_text=True)
    timeline = html[html.index('<ol class="timeline">'):html.index("</ol>")]
    assert 'class="tl-axis"' in html and 'class="tl-mark tl-bar"' in html
    # Khrustalev-Nosar's presidency: a start and an end in one entry, with the role; Julian months
    # are shown as the text gives them, since they have no single Gregorian month.
    assert re.search(r"Oct 1905 \(Julian\) – Nov 1905 \(Julian\)</span>\s*<span class=\"tl-claim\">"
                     r"<a href=\"/id/khrustalev-nosar\">", timeline)
    assert "as president" in timeline
    assert "“October 13”, Julian" in timeline                 # as written, and in which calendar
    assert re.search(r'<span class="date">16 Dec 1905</span>\s*<span class="tl-claim">dissolved', timeline)
    links = re.findall(r'class="evidence" href="(/source/[^"]+)"', timeline)
    assert links and all(re.fullmatch(r"/source/[\w-]+\?highlight=\d+-\d+#c\d+", link) for link in links)


def test_entity_timeline_places_marks_in_order(client):
    html = client.get("/id/petersburg-soviet-1905").get_data(as_text=True)
    lefts = [float(x) for x in re.findall(r'class="tl-mark[^"]*" href="#tl-\d+" tabindex="-1"\s+style="left: ([\d.]+)%', html)]
    assert len(lefts) >= 10 and lefts == sorted(lefts) and 0 <= lefts[0] and lefts[-1] <= 100


def test_entity_without_dated_facts_has_no_timeline(client):
    html = client.get("/id/mercedes-petit").get_data(as_text=True)
    assert "Statements" in html and 'class="timeline"' not in html and 'class="tl-axis"' not in html


def test_vendored_libraries_are_listed_with_their_licences():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for bundle in ("codemirror.min.js", "vis-timeline.min.js", "vis-timeline.min.css", "cytoscape.min.js"):
        assert (VENDOR / bundle).is_file() and f"| {bundle} |" in readme
    for link in re.findall(r"\((licenses/[^)]+)\)", readme):
        assert (VENDOR / link).is_file(), link
    for name in ("@codemirror/view", "vis-timeline", "cytoscape"):
        assert re.search(rf"\| {re.escape(name)} \| [\d.]+ \| [^|]*MIT", readme), name
    total = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    assert total < 3_000_000


def test_vendor_files_are_package_data():
    import tomllib
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = pyproject["tool"]["setuptools"]
    assert "kg.web.static*" in setuptools["packages"]["find"]["include"]
    data = setuptools["package-data"]
    assert "*.js" in data["kg.web.static.vendor"] and "*.txt" in data["kg.web.static.vendor.licenses"]
    assert "*.html" in data["kg.web.templates"] and "*.js" in data["kg.web.static"]


def test_vendor_bundles_match_the_lock_file():
    lock = json.loads((PROJECT_ROOT / "kg" / "web" / "assets" / "package-lock.json").read_text(encoding="utf-8"))
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (@?[\w./-]+) \| (\d[\w.-]*) \| [^|]+ \| \[", readme, re.M)
    assert len(rows) > 10
    for name, version in rows:
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name


def test_named_query_text_is_served_as_sparql(client):
    r = client.get("/queries/arrests.rq")
    assert r.status_code == 200 and r.mimetype == "application/sparql-query"
    assert r.get_data(as_text=True).startswith("# title: Arrests")


def test_named_query_page_opens_in_the_editor(client):
    assert 'href="/query?example=arrests"' in client.get("/queries/arrests").get_data(as_text=True)


def test_static_scripts_are_served_gzipped_and_revalidate(client):
    with client.get("/static/vendor/codemirror.min.js", headers={"Accept-Encoding": "gzip"}) as r:
        import gzip
        assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(r.data)
        etag = r.headers["ETag"]
    assert len(r.data) < len(body) / 2 and body == (PROJECT_ROOT / "kg/web/static/vendor/codemirror.min.js").read_bytes()
    with client.get("/static/vendor/codemirror.min.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}) as again:
        assert again.status_code == 304
    with client.get("/static/vendor/codemirror.min.js") as plain:
        assert "Content-Encoding" not in plain.headers and plain.data == body
