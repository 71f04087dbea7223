"""The real server (Granian) on a free local port, talked to by real clients."""

import os
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.conftest import running_server

HOSTILE = """SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(built_corpus):
    with running_server(built_corpus[0].data_dir, query_timeout_s=2, threads=4) as url:
        yield url


def count(url) -> int:
    r = requests.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_sparqlwrapper_select(server):
    from SPARQLWrapper import JSON, SPARQLWrapper
    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery("SELECT ?label WHERE { <https://w3id.org/soviets/id/trotsky> <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    sw.setReturnFormat(JSON)
    labels = {b["label"]["value"] for b in sw.query().convert()["results"]["bindings"]}
    assert "Leon Trotsky" in labels


def test_sparqlwrapper_construct_and_post(server):
    from SPARQLWrapper import POST, TURTLE, SPARQLWrapper
    sw = SPARQLWrapper(server + "/sparql")
    sw.setMethod(POST)
    sw.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/soviets/ontology#Faction> ; ?p ?o }")
    sw.setReturnFormat(TURTLE)
    assert b"Bolsheviks" in sw.query().convert()


def test_rdflib_sparqlstore(server):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    g = Graph(store=SPARQLStore(server + "/sparql"))
    rows = list(g.query("SELECT ?s WHERE { ?s a <https://w3id.org/soviets/ontology#Faction> }"))
    assert len(rows) >= 2


def test_entity_iri_over_http(server):
    r = requests.get(server + "/id/lenin", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "Vladimir Lenin" in r.text


def test_hostile_query_times_out_and_others_keep_being_served(server):
    result = {}

    def slow():
        t = time.monotonic()
        result["r"] = requests.post(server + "/sparql", data={"query": HOSTILE}, timeout=60)
        result["t"] = time.monotonic() - t

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    t = time.monotonic()
    fast = requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    assert fast.status_code == 200 and time.monotonic() - t < 1.5   # served while the hostile query runs
    thread.join(timeout=60)
    assert result["r"].status_code == 503 and "time limit" in result["r"].text
    assert result["t"] < 10
    assert count(server) > 40000                                       # and after


def test_update_over_http_is_refused_and_nothing_changes(server):
    before = count(server)
    r = requests.post(server + "/sparql", data={"update": "DELETE WHERE { ?s ?p ?o }"})
    assert r.status_code == 403
    r = requests.post(server + "/sparql", data="CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    assert count(server) == before


def test_kg_query_against_the_endpoint(server, built_corpus):
    config, _ = built_corpus
    out = subprocess.run([sys.executable, "-m", "kg", "query", "who-led-the-military-revolutionary-committee",
                          "--endpoint", server + "/sparql"], capture_output=True, text=True,
                         env=dict(os.environ, KG_DATA_DIR=config.data_dir))
    assert out.returncode == 0, out.stderr
    assert "Trotsky led the Military Revolutionary Committee" in out.stdout


def test_dump_streams_with_range(server):
    with requests.get(server + "/dumps/kg.nq.gz", headers={"Range": "bytes=10-19"}) as r:
        assert r.status_code == 206 and len(r.content) == 10


def test_killing_the_server_outright_leaves_nothing_answering(built_corpus):
    """SIGKILL of `kg serve` must not leave its HTTP worker serving, orphaned."""
    import psutil

    from tests.conftest import free_port, wait_until_responds
    from tests.supervision import wait_for_executors
    port = free_port()
    env = dict(os.environ, KG_DATA_DIR=str(built_corpus[0].data_dir))
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/-/version"
    try:
        wait_until_responds(url)
        children = wait_for_executors(psutil.Process(proc.pid), 8)   # every executor started
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) == 2 + 8                    # the HTTP workers and their executors
    finally:
        proc.kill()
        proc.wait(timeout=10)
    gone, alive = psutil.wait_procs(children, timeout=5)
    assert alive == []
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_a_runaway_query_ends_with_the_executor_that_ran_it(built_corpus):
    """pyoxigraph cannot cancel a query: past the time limit, the executor process running it is
    killed and replaced; the HTTP workers stay, and nothing is left computing."""
    import psutil
    with running_server(built_corpus[0].data_dir, query_timeout_s=1, threads=2) as url:
        port = url.rsplit(":", 1)[1]
        main = next(p for p in psutil.process_iter(["cmdline"])
                    if p.info["cmdline"] and "serve" in p.info["cmdline"] and port in p.info["cmdline"])
        workers = main.children()
        executors = {p.pid for w in workers for p in w.children()}
        assert workers and executors
        r = requests.post(url + "/sparql", data={"query": HOSTILE}, timeout=30)
        assert r.status_code == 503 and "stopped" in r.text
        assert main.children() == workers                         # no HTTP worker was replaced
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = {p.pid for w in workers for p in w.children()}
            if len(now) == len(executors) and len(now - executors) == 1:
                break
            time.sleep(0.1)
        assert len(now - executors) == 1 and len(executors - now) == 1   # one executor replaced
        assert count(url) > 40000
        tree = [main] + main.children(recursive=True)
        for p in tree:
            p.cpu_percent(None)
        time.sleep(1.0)
        assert sum(p.cpu_percent(None) for p in tree) < 50       # nothing is still computing
