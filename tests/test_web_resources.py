"""Linked Data pages, the Graph Store read protocol, dumps and VoID."""

import hashlib

import pytest
import rdflib


def test_entity_page_html_shows_facts_with_evidence(client):
    r = client.get("/id/petersburg-soviet-1905", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "St Petersburg Soviet of Workers&#39; Deputies (1905)" in html
    assert "Julian" in html and "Gregorian" in html
    assert 'href="/source/nin-1932?highlight=' in html          # evidence links to the passage
    assert 'class="timeline"' in html


def test_entity_page_shows_wikidata_link(client):
    html = client.get("/id/trotsky").get_data(as_text=True)
    assert "http://www.wikidata.org/entity/Q33391" in html


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_entity_rdf_by_content_negotiation(client, accept, fmt):
    r = client.get("/id/trotsky", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept and "Accept" in r.headers.get("Vary", "")
    g = rdflib.Graph().parse(data=r.data, format=fmt)
    trotsky = rdflib.URIRef("https://w3id.org/soviets/id/trotsky")
    assert (trotsky, rdflib.RDFS.label, rdflib.Literal("Leon Trotsky", lang="en")) in g


def test_unknown_entity_is_404(client):
    assert client.get("/id/nobody-at-all").status_code == 404


def test_source_page_links_mentions_and_highlights_passage(client):
    r = client.get("/source/petit-2000?highlight=3047-3119")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<mark>' in html and 'id="c3047"' in html
    assert 'class="mention" href="/id/trotsky"' in html
    assert 'class="editorial"' in html


def test_statement_iri_resolves(client):
    r = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s a <https://w3id.org/soviets/ontology#Statement> } LIMIT 1"},
                   headers={"Accept": "application/sparql-results+json"})
    iri = r.get_json()["results"]["bindings"][0]["s"]["value"]
    path = iri.replace("https://w3id.org/soviets", "")
    assert client.get(path).status_code == 200
    ttl = client.get(path, headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and b"wasDerivedFrom" in ttl.data


def test_ontology_term_page(client):
    assert client.get("/ontology").status_code == 200
    with client.get("/ontology", headers={"Accept": "text/turtle"}) as r:
        assert b"owl:Ontology" in r.data


def test_graph_store_protocol_read(client):
    r = client.get("/graph?graph=https://w3id.org/soviets/graph/petit-2000", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.mimetype == "application/n-triples" and b"petit-2000" in r.data
    assert client.get("/graph?graph=https://w3id.org/soviets/graph/nothing").status_code == 404
    assert client.get("/graph?default", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.put("/graph?default", data="").status_code == 403
    assert client.get("/graph/registry", headers={"Accept": "text/turtle"}).status_code == 200


def test_dump_listing_and_checksums(client):
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    names = {f["name"]: f for f in listing["files"]}
    assert {"kg.ttl", "kg.ttl.gz", "kg.nq", "kg.nq.gz", "kg.trig", "void.ttl", "ontology.ttl"} <= set(names)
    with client.get("/dumps/kg.nq") as r:
        body = r.data
    assert hashlib.sha256(body).hexdigest() == names["kg.nq"]["sha256"]
    assert names["kg.nq"]["triples"] > 40000


def test_dump_head_and_range(client):
    with client.head("/dumps/kg.ttl") as head:
        assert head.status_code == 200 and int(head.headers["Content-Length"]) > 1000
    with client.get("/dumps/kg.ttl", headers={"Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and len(part.data) == 100 and part.data.startswith(b"@prefix")


@pytest.mark.parametrize("path", ["/dumps/..%2fmanifest.json", "/dumps/../manifest.json", "/dumps/%2e%2e%2fmanifest.json",
                                  "/dumps/..", "/dumps/manifest.json", "/dumps/%2fetc%2fpasswd"])
def test_paths_outside_the_dump_folder_are_refused(client, path):
    assert client.get(path).status_code == 404


def test_void_description(client):
    r = client.get("/.well-known/void")
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = rdflib.URIRef("https://w3id.org/soviets/void#dataset")
    assert int(g.value(ds, VOID.triples)) > 40000
    assert str(g.value(ds, VOID.sparqlEndpoint)).endswith("/sparql")
    assert len(list(g.objects(ds, VOID.dataDump))) == 6
    assert len(list(g.objects(ds, VOID.classPartition))) > 10
    DCT = rdflib.Namespace("http://purl.org/dc/terms/")
    assert "each named graph states its own rights" in str(g.value(ds, DCT.rights))
    subsets = {str(g.value(s, DCT.identifier)): s for s in g.objects(ds, VOID.subset)}
    assert g.value(subsets["https://w3id.org/soviets/graph/registry"], DCT.license) is not None
    assert (None, rdflib.RDF.type, VOID.Linkset) in g


def test_home_and_queries_pages(client):
    assert b"Sources" in client.get("/").data
    assert client.get("/queries").status_code == 200
    r = client.get("/queries/arrests.json")
    assert r.status_code == 200 and r.get_json()["results"]["bindings"]
    assert client.get("/queries/arrests.csv").mimetype == "text/csv"
    assert client.get("/queries/no-such").status_code == 404


def test_version_and_settings(client):
    assert "build" in client.get("/-/version").get_json()
    settings = client.get("/-/settings").get_json()
    assert settings["query_timeout_s"]["help"]


def test_shape_iris_resolve(client):
    with client.get("/shapes") as r:
        assert r.status_code == 200 and b"kgsh:Statement" in r.data
