"""Wikidata's search API and SPARQL service: the client, the queries, and what an item is.

Services: the action API's `wbsearchentities`
(https://www.wikidata.org/w/api.php?action=help&modules=wbsearchentities) and the Wikidata
Query Service, a SPARQL 1.1 Protocol endpoint
(https://www.mediawiki.org/wiki/Wikidata_Query_Service/User_Manual). Both URLs are settings
(`wikidata_search_url`, `wikidata_sparql_url`); the tests point them at a local stand-in
(tests/wikidata_standin.py, which also records real answers: tests/fixtures/wikidata/README.md).
Every failure of a remote service becomes `WikidataUnavailable`.
How a candidate item is scored against an entity is in kg/matching.py.
"""

from __future__ import annotations

import json
import re
import socket
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from kg import __version__
from kg.errors import WikidataUnavailable
from kg.vocabulary import CLASSES

# Wikimedia's User-Agent policy asks every client to name itself and a way to reach its makers.
USER_AGENT = f"soviets-kg/{__version__} (https://w3id.org/soviets/; kg link)"
WD = "http://www.wikidata.org/entity/"
QID = re.compile(r"^Q[1-9][0-9]*$")

# The classes a candidate must be an instance of (wdt:P31/wdt:P279*), with the English label
# each class item has on Wikidata. Only Q5 comes with the issue; the others are not in
# sources/wikidata/verified-qids.tsv, so every run checks them against Wikidata's own labels
# (`check_type_table`) and refuses to score with a table that does not match.
TYPES = {
    "Q5": "human",
    "Q7278": "political party",
    # Bolsheviks (Q83372) and Mensheviks (Q191515) are instances of this, not of political party.
    "Q1393724": "political faction",
    "Q43229": "organization",
    "Q486972": "human settlement",
    "Q82794": "geographic region",
    "Q56061": "administrative territorial entity",
    "Q6256": "country",
    "Q3024240": "historical country",
    "Q1190554": "occurrence",
    "Q11032": "newspaper",
    "Q7725634": "literary work",
}
_PLACES = ("Q486972", "Q82794", "Q56061", "Q6256", "Q3024240")
_PARTIES = ("Q7278", "Q1393724")
# A `Place` is any place (a palace, a fortress, an institute's building): no class fits them
# all, so it has no type rule and names, dates and the reviewer decide. Where a party may
# stand, a faction may too: the texts call a faction a party ("the Bolshevik Party").
TYPE_RULES: dict[str, tuple[str, ...]] = {
    **{c: ("Q5",) for c in CLASSES["persons"]},
    **{c: _PLACES for c in CLASSES["places"] if c != "Place"},
    **{c: ("Q43229",) for c in CLASSES["soviets"] + CLASSES["organisations"]},
    **{c: ("Q1190554",) for c in CLASSES["events"]},
    **{c: ("Q11032", "Q7725634") for c in CLASSES["publications"]},
    "Party": _PARTIES,
    "Faction": (*_PARTIES, "Q43229"),
}
SEARCH_LIMIT = 7          # wbsearchentities' own default; the right item is nearly always among them


class WikidataClient:
    """The two services, over urllib, with one time limit; every failure is WikidataUnavailable."""

    def __init__(self, search_url: str, sparql_url: str, timeout_s: float = 30.0):
        self.search_url, self.sparql_url, self.timeout_s = search_url, sparql_url, timeout_s
        self.types_checked = False

    @classmethod
    def from_config(cls, config) -> "WikidataClient":
        return cls(config.wikidata_search_url, config.wikidata_sparql_url, config.wikidata_timeout_s)

    def search(self, text: str, language: str = "en", limit: int = SEARCH_LIMIT) -> list[dict]:
        """Items whose label or alias matches `text` (wbsearchentities), best first."""
        params = search_params(text, language, limit)
        url = self.search_url + "?" + urllib.parse.urlencode(params)
        data = self._json(urllib.request.Request(url, headers=_headers("application/json")))
        if "error" in data:
            err = data["error"]
            raise WikidataUnavailable(f"{self.search_url} refused the search for {text!r}: "
                                      f"{err.get('code', '?')}: {err.get('info', '')}")
        if not isinstance(data.get("search"), list):
            raise WikidataUnavailable(f"{self.search_url} answered without search results for {text!r}")
        return data["search"]

    def sparql(self, query: str) -> list[dict[str, str]]:
        """Run a SELECT (POSTed form-encoded, SPARQL 1.1 Protocol) and return rows of plain values."""
        body = urllib.parse.urlencode({"query": query}).encode()
        req = urllib.request.Request(self.sparql_url, data=body, headers={
            **_headers("application/sparql-results+json"),
            "Content-Type": "application/x-www-form-urlencoded"})
        data = self._json(req)
        try:
            return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
        except (KeyError, TypeError, AttributeError):
            raise WikidataUnavailable(f"{self.sparql_url} answered JSON that is not SPARQL results") from None

    def _json(self, req: urllib.request.Request) -> dict:
        where = req.full_url.split("?")[0]
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                ctype = resp.headers.get("Content-Type", "")
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            with exc:
                text = _gist(exc.read())
            raise WikidataUnavailable(f"{where} answered {exc.code} {exc.reason}: {text}") from None
        except (TimeoutError, socket.timeout):
            raise WikidataUnavailable(f"{where} did not answer within {self.timeout_s:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise WikidataUnavailable(f"{where} did not answer within {self.timeout_s:g} s") from None
            raise WikidataUnavailable(f"cannot reach {where}: {exc.reason}") from None
        except OSError as exc:
            raise WikidataUnavailable(f"cannot reach {where}: {exc}") from None
        if "json" not in ctype:
            raise WikidataUnavailable(f"{where} answered with an error page ({ctype or 'no type'}), "
                                      f"not JSON: {_gist(raw)}")
        try:
            return json.loads(raw)
        except ValueError:
            raise WikidataUnavailable(f"{where} answered with a broken JSON body: {_gist(raw)}") from None


def _headers(accept: str) -> dict:
    return {"Accept": accept, "User-Agent": USER_AGENT}


def _gist(raw: bytes, limit: int = 200) -> str:
    """The readable part of an error body: an HTML page's title, or its first words."""
    text = raw.decode("utf-8", "replace")
    title = re.search(r"<title>(.*?)</title>", text, re.S | re.I)
    if title:
        text = title.group(1)
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "") if text else "(empty body)"


def search_params(text: str, language: str = "en", limit: int = SEARCH_LIMIT) -> dict:
    """The query parameters of one wbsearchentities request (also the stand-in's key)."""
    return {"action": "wbsearchentities", "search": text, "language": language, "uselang": language,
            "type": "item", "limit": str(limit), "format": "json"}


# -- what Wikidata says about an item --

@dataclass
class Item:
    """The facts about one item that scoring and checking need, read from the SPARQL service."""

    qid: str
    exists: bool = False
    redirect: str | None = None       # the item this one was merged into
    label: str | None = None
    label_ru: str | None = None
    aliases: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)     # which of TYPES it is an instance of
    has_class: bool = False           # it has some instance-of (P31) at all
    years: dict[str, int] = field(default_factory=dict)   # born, died, inception, dissolved, start, end, point
    description: str | None = None    # from the search result

    @property
    def iri(self) -> str:
        return WD + self.qid


_DATE_VARS = {"born": "P569", "died": "P570", "inception": "P571", "dissolved": "P576",
              "start": "P580", "end": "P582", "point": "P585"}
_MIN_VARS = {"born", "inception", "start", "point"}


def facts_query(qids) -> str:
    """One SELECT for the facts of some items: labels, aliases, types, dates, redirect, existence.

    Dates are Wikidata's truthy values (wdt:), which the query service gives in the proleptic
    Gregorian calendar; only their years are compared. A redirect is `owl:sameAs` there.
    """
    items = " ".join(f"wd:{q}" for q in sorted(set(qids)))
    types = " ".join(f"wd:{q}" for q in TYPES)
    agg = " ".join(f"({'MIN' if v in _MIN_VARS else 'MAX'}(?{v}_) AS ?{v})" for v in _DATE_VARS)
    optionals = "\n".join(f"  OPTIONAL {{ ?item wdt:{p} ?{v}_ FILTER(isLiteral(?{v}_)) }}"
                          for v, p in _DATE_VARS.items())
    return f"""PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?item (SAMPLE(?exists_) AS ?exists) (SAMPLE(?redirect_) AS ?redirect)
  (SAMPLE(?label_) AS ?label) (SAMPLE(?labelRu_) AS ?labelRu)
  (GROUP_CONCAT(DISTINCT ?alias_; separator="|") AS ?aliases)
  (GROUP_CONCAT(DISTINCT STRAFTER(STR(?type_), STR(wd:)); separator=" ") AS ?types)
  (SAMPLE(?class_) AS ?class) {agg}
WHERE {{
  VALUES ?item {{ {items} }}
  BIND(EXISTS {{ ?item ?p ?o }} AS ?exists_)
  OPTIONAL {{ ?item owl:sameAs ?redirect_ }}
  OPTIONAL {{ ?item rdfs:label ?label_ FILTER(LANG(?label_) = "en") }}
  OPTIONAL {{ ?item rdfs:label ?labelRu_ FILTER(LANG(?labelRu_) = "ru") }}
  OPTIONAL {{ ?item skos:altLabel ?alias_ FILTER(LANG(?alias_) = "en") }}
  OPTIONAL {{ ?item wdt:P31 ?class_ }}
  OPTIONAL {{ VALUES ?type_ {{ {types} }} ?item wdt:P31/wdt:P279* ?type_ }}
{optionals}
}}
GROUP BY ?item
ORDER BY ?item"""


def type_table_query() -> str:
    """The English labels of the type items in TYPES, to check the table against Wikidata."""
    types = " ".join(f"wd:{q}" for q in TYPES)
    return f"""PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?type ?label WHERE {{
  VALUES ?type {{ {types} }}
  OPTIONAL {{ ?type rdfs:label ?label FILTER(LANG(?label) = "en") }}
}}
ORDER BY ?type"""


def fetch_items(client: WikidataClient, qids, batch: int = 50) -> dict[str, Item]:
    """The facts of the given items, asked in sorted batches (one request per 50 items)."""
    ordered = sorted(set(qids), key=lambda q: int(q[1:]))
    out: dict[str, Item] = {}
    for i in range(0, len(ordered), batch):
        for row in client.sparql(facts_query(ordered[i:i + batch])):
            item = _item(row)
            out[item.qid] = item
    for q in ordered:
        out.setdefault(q, Item(q))
    return out


def _item(row: dict[str, str]) -> Item:
    qid = row["item"].rsplit("/", 1)[-1]
    redirect = row.get("redirect")
    item = Item(qid, exists=row.get("exists") in ("true", "1"),
                redirect=redirect.rsplit("/", 1)[-1] if redirect else None,
                label=row.get("label"), label_ru=row.get("labelRu"),
                aliases=[a for a in (row.get("aliases") or "").split("|") if a],
                types=set((row.get("types") or "").split()), has_class=bool(row.get("class")))
    for var in _DATE_VARS:
        m = re.match(r"^\+?(-?\d+)-", row.get(var) or "")
        if m:
            item.years[var] = int(m.group(1))
    return item


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: 'St. Petersburg' → 'st petersburg'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


def check_type_table(client: WikidataClient) -> None:
    """Refuse to score with a type table whose ids Wikidata labels otherwise (an id from memory
    can be wrong: see sources/wikidata/README). Checked once per client, that is once per run."""
    if client.types_checked:
        return
    found = {r["type"].rsplit("/", 1)[-1]: r.get("label") for r in client.sparql(type_table_query())}
    wrong = [f"{q} is labelled {found.get(q)!r}, expected {label!r}" for q, label in TYPES.items()
             if not _same_name(found.get(q) or "", label)]
    if wrong:
        raise WikidataUnavailable("the type table of kg/wikidata.py does not match Wikidata: "
                                  + "; ".join(wrong) + ". Fix TYPES before linking.")
    client.types_checked = True


def _same_name(found: str, expected: str) -> bool:
    a, b = normalise(found), normalise(expected)
    return bool(a) and (a == b or set(a.split()) <= set(b.split()) or set(b.split()) <= set(a.split()))

