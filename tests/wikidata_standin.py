"""A local stand-in for Wikidata's search API and SPARQL service, answering recorded exchanges.

The tests start it on 127.0.0.1 and a free port and point `wikidata_search_url` and
`wikidata_sparql_url` (and the SERVICE allow-list) at it. Each exchange is one JSON file in
a folder (tests/fixtures/wikidata/ documents the format):

    {"api": "search", "request": {"params": {...}}, "status": 200,
     "content_type": "application/json; charset=utf-8", "body": {...}}
    {"api": "sparql", "request": {"query": "SELECT …"}, "status": 200,
     "content_type": "application/sparql-results+json", "body": {...}}

A search is matched on its query parameters, a SPARQL request on its query text with runs of
white space collapsed. SPARQL is answered per the SPARQL 1.1 Protocol (GET `?query=`, POST
form-encoded or `application/sparql-query`), as JSON or, if the client accepts only that, as
XML results. A request with no recording gets a 500 naming it, so a missing recording fails
loudly. `fault` simulates a broken service: "slow" (answers after `delay_s`), "error-page"
(a 502 HTML page, as Wikimedia's front proxies give), "html" (the same page with a 200).

With `upstream` set, unmatched requests go to the real services and are saved: that is how
`python -m tests.wikidata_standin record` refreshes the recordings. Test equipment: the
product (kg/) never imports it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

SEARCH_PATH = "/w/api.php"
SPARQL_PATH = "/sparql"
JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"


def normalise_query(query: str) -> str:
    """The key of a recorded query: whitespace folded, and without the `BASE <…>` that Oxigraph
    puts before a SERVICE block's text when the outer query has a base IRI (ours always does)."""
    return " ".join(re.sub(r"^\s*BASE\s*<[^<>\s]*>", "", query).split())


def search_key(params: dict) -> str:
    return json.dumps(sorted(params.items()))


class StandIn:
    """The stand-in server; use as a context manager, or start() and stop()."""

    def __init__(self, folder=None, upstream: tuple[str, str] | None = None, record_to=None):
        self.folder = Path(folder) if folder else None
        self.upstream = upstream                   # (search URL, SPARQL URL) of the real services
        self.record_to = Path(record_to) if record_to else None
        self.search: dict[str, dict] = {}
        self.sparql: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []  # (api, key) of every request answered
        self.fault: str | None = None
        self.delay_s = 3.0
        self._lock = threading.Lock()
        if self.folder:
            self.load(self.folder)
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def load(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.json")):
            self.add(json.loads(path.read_text(encoding="utf-8")))

    def add(self, exchange: dict) -> None:
        if exchange["api"] == "search":
            self.search[search_key(exchange["request"]["params"])] = exchange
        else:
            self.sparql[normalise_query(exchange["request"]["query"])] = exchange

    # -- lifecycle --
    def start(self) -> "StandIn":
        standin = self

        class Handler(_Handler):
            owner = standin
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll interval: stop() waits for one, and the tests start one server per test.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.server = None

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def search_url(self) -> str:
        return self.base_url + SEARCH_PATH

    @property
    def sparql_url(self) -> str:
        return self.base_url + SPARQL_PATH

    # -- answering --
    def answer_search(self, params: dict) -> dict | None:
        key = search_key(params)
        with self._lock:
            self.requests.append(("search", key))
            found = self.search.get(key)
        if found is None and self.upstream:
            found = self._fetch("search", {"params": params},
                                self.upstream[0] + "?" + urllib.parse.urlencode(params), None)
        return found

    def answer_sparql(self, query: str) -> dict | None:
        key = normalise_query(query)
        with self._lock:
            self.requests.append(("sparql", key))
            found = self.sparql.get(key)
        if found is None and self.upstream:
            found = self._fetch("sparql", {"query": query}, self.upstream[1],
                                urllib.parse.urlencode({"query": query}).encode())
        return found

    def _fetch(self, api: str, request: dict, url: str, data: bytes | None) -> dict:
        """Ask the real service, keep the exchange, and save it when recording."""
        from kg.wikidata import USER_AGENT
        headers = {"User-Agent": USER_AGENT,
                   "Accept": JSON_RESULTS if api == "sparql" else "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=data, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, ctype, raw = resp.status, resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as exc:
            with exc:
                status, ctype, raw = exc.code, exc.headers.get("Content-Type", ""), exc.read()
        exchange = {"api": api, "request": request, "status": status, "content_type": ctype,
                    "recorded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        try:
            exchange["body"] = json.loads(raw)
        except ValueError:
            exchange["body_text"] = raw.decode("utf-8", "replace")
        with self._lock:
            self.add(exchange)
        if self.record_to:
            save(exchange, self.record_to)
        return exchange


def exchange_name(exchange: dict) -> str:
    """A stable file name: the search words, or a digest of the normalised query."""
    if exchange["api"] == "search":
        words = re.sub(r"[^a-z0-9]+", "-", exchange["request"]["params"]["search"].lower()).strip("-")
        return f"search--{words[:60] or 'empty'}--{exchange['request']['params'].get('language', '')}.json"
    query = normalise_query(exchange["request"]["query"])
    digest = hashlib.sha256(query.encode()).hexdigest()[:12]
    qids = list(dict.fromkeys(re.findall(r"\b(Q\d+)\b", query)))
    about = "-".join(qids[:3]) + ("-etc" if len(qids) > 3 else "")
    return f"sparql--{about + '--' if about else ''}{digest}.json"


def save(exchange: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / exchange_name(exchange)
    path.write_text(json.dumps(exchange, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


class _Handler(BaseHTTPRequestHandler):
    owner: StandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:   # quiet: the tests read `requests` instead
        pass

    def do_GET(self) -> None:
        self._handle(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length) if length else b"")

    def _handle(self, body: bytes | None) -> None:
        owner = self.owner
        if owner.fault == "slow":
            time.sleep(owner.delay_s)
        if owner.fault in ("error-page", "html"):
            page = ("<!DOCTYPE html><html><head><title>Wikimedia Error</title></head><body>"
                    "<p>Our servers are currently under maintenance or experiencing a technical problem."
                    "</p></body></html>")
            status = 502 if owner.fault == "error-page" else 200
            return self._send(status, "text/html; charset=utf-8", page.encode())
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path == SEARCH_PATH:
            found = owner.answer_search(params)
            return self._reply(found, f"search {params}")
        if url.path == SPARQL_PATH:
            query = params.get("query")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if body is not None and ctype == "application/sparql-query":
                query = body.decode("utf-8")
            elif body is not None:
                query = dict(urllib.parse.parse_qsl(body.decode("utf-8"))).get("query", query)
            if not query:
                return self._send(400, "text/plain; charset=utf-8", b"no query")
            return self._reply(owner.answer_sparql(query), "SPARQL " + normalise_query(query))
        self._send(404, "text/plain; charset=utf-8", b"not found")

    def _reply(self, exchange: dict | None, what: str) -> None:
        if exchange is None:
            return self._send(500, "text/plain; charset=utf-8",
                              f"no recorded response for {what} (tests/fixtures/wikidata/README.md)".encode())
        if "body_text" in exchange:
            return self._send(exchange["status"], exchange["content_type"], exchange["body_text"].encode())
        body = exchange["body"]
        if exchange["api"] == "sparql" and JSON_RESULTS not in (self.headers.get("Accept") or JSON_RESULTS) \
                and XML_RESULTS in (self.headers.get("Accept") or ""):
            return self._send(exchange["status"], XML_RESULTS, results_xml(body).encode())
        ctype = exchange.get("content_type") or "application/json"
        self._send(exchange["status"], ctype, json.dumps(body).encode())

    def _send(self, status: int, ctype: str, data: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the client gave up (a timeout test): nothing to answer


def results_xml(results: dict) -> str:
    """SPARQL JSON results → SPARQL Query Results XML (https://www.w3.org/TR/rdf-sparql-XMLres/)."""
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f'<variable name="{escape(v)}"/>' for v in results["head"].get("vars", [])]
    out.append("</head>")
    if "boolean" in results:
        out.append(f"<boolean>{str(results['boolean']).lower()}</boolean>")
    else:
        out.append("<results>")
        for b in results["results"]["bindings"]:
            out.append("<result>")
            for name, term in b.items():
                out.append(f'<binding name="{escape(name)}">{_xml_term(term)}</binding>')
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out)


def _xml_term(term: dict) -> str:
    value = escape(term["value"])
    if term["type"] == "uri":
        return f"<uri>{value}</uri>"
    if term["type"] == "bnode":
        return f"<bnode>{value}</bnode>"
    attrs = ""
    if "xml:lang" in term:
        attrs = f' xml:lang="{escape(term["xml:lang"])}"'
    elif "datatype" in term:
        attrs = f' datatype="{escape(term["datatype"])}"'
    return f"<literal{attrs}>{value}</literal>"


def record_main(argv=None) -> None:
    """`python -m tests.wikidata_standin record DIR [--federated QUERY.rq]… [-- KG-ARGS…]`: run `kg KG-ARGS`
    (or the federated queries) through a recording proxy in front of the real services, saving
    every exchange into DIR."""
    ap = argparse.ArgumentParser(prog="python -m tests.wikidata_standin", description=record_main.__doc__)
    ap.add_argument("command", choices=["record"])
    ap.add_argument("folder")
    ap.add_argument("--federated", action="append", default=[],
                    help="a .rq file whose SERVICE <https://query.wikidata.org/sparql> to record "
                         "(run on the store of KG_DATA_DIR)")
    ap.add_argument("kg_args", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    from kg.config import load_config
    config = load_config()
    folder = Path(args.folder)
    # No recordings preloaded: every request goes to the real services and is saved afresh.
    with StandIn(None, upstream=(config.wikidata_search_url, config.wikidata_sparql_url),
                 record_to=folder) as proxy:
        for rq in args.federated:
            run_federated(config.with_(service_allowlist=proxy.sparql_url), Path(rq).read_text(), proxy.sparql_url)
        kg_args = [a for a in args.kg_args if a != "--"]
        if kg_args:
            from kg.cli import main
            os.environ.update(KG_WIKIDATA_SEARCH_URL=proxy.search_url, KG_WIKIDATA_SPARQL_URL=proxy.sparql_url)
            try:
                main(kg_args, standalone_mode=False)
            except SystemExit as exc:
                if exc.code:
                    print(f"kg {' '.join(kg_args)} exited {exc.code}", file=sys.stderr)
        print(f"{len(proxy.requests)} requests; recordings in {folder}", file=sys.stderr)


WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


def run_federated(config, query: str, endpoint: str, fmt: str = "json") -> bytes:
    """Run a federated query on the built store with its Wikidata SERVICE pointed at `endpoint`."""
    from kg.formats import by_name
    from kg.sparql import execute
    from kg.store import open_store
    text = query.replace(f"<{WIKIDATA_SPARQL}>", f"<{endpoint}>")
    return execute(open_store(config.data_dir), text, by_name("results", fmt),
                   max_bytes=config.max_result_bytes, services=config.services)


if __name__ == "__main__":
    record_main()
