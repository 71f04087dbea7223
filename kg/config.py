"""Settings as one declarative table: defaults → kg.toml → KG_* environment → explicit overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE_IRI = "https://w3id.org/soviets/"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS = [
    Setting("base_iri", DEFAULT_BASE_IRI,
            "Base IRI under which entities, graphs and the ontology are minted (ends with '/')."),
    Setting("sources_dir", str(PROJECT_ROOT / "sources"),
            "Folder with the source texts, sources.yaml, entities/ and annotations/."),
    Setting("data_dir", str(PROJECT_ROOT / "data"),
            "Folder where `kg build` writes the store (data/store) and the dumps (data/dumps)."),
    Setting("ontology_dir", str(PROJECT_ROOT / "ontology"), "Folder with the OWL ontology in Turtle."),
    Setting("shapes_dir", str(PROJECT_ROOT / "shapes"), "Folder with the SHACL shapes."),
    Setting("queries_dir", str(PROJECT_ROOT / "queries"), "Folder with the named SPARQL queries."),
    Setting("host", "127.0.0.1", "Address `kg serve` listens on."),
    Setting("port", 8000, "Port `kg serve` listens on."),
    # 30 s as in Oxigraph server's and Fuseki's defaults: long enough for any honest query on this corpus.
    Setting("query_timeout_s", 30.0, "Time limit for one SPARQL query, in seconds."),
    # Far above any honest answer over this corpus (the whole graph is ~10 MB as N-Triples),
    # far below what would exhaust memory; results past it are cut with an error, not buffered.
    Setting("max_result_bytes", 64_000_000, "Largest serialised result one query may return, in bytes."),
    Setting("max_body_bytes", 1_000_000, "Largest request body accepted by the endpoint."),
    # Federated queries may reach only these endpoints: the endpoint must not become a proxy.
    Setting("service_allowlist", "https://query.wikidata.org/sparql",
            "Comma-separated SPARQL endpoints a query may call with SERVICE (empty: none)."),
    Setting("threads", 8, "Threads of each HTTP worker; they run the queries."),
    Setting("http_workers", 2, "HTTP worker processes of `kg serve`."),
    # Wikidata's own services; tests point these at a local stand-in (tests/fixtures/wikidata/).
    Setting("wikidata_search_url", "https://www.wikidata.org/w/api.php",
            "Wikidata's action API, asked for candidates by `kg link` (wbsearchentities)."),
    Setting("wikidata_sparql_url", "https://query.wikidata.org/sparql",
            "Wikidata's SPARQL service, asked by `kg link` for candidates' types, dates and redirects."),
    # Long enough for one SPARQL query over a few dozen items on the public service (its own
    # limit is 60 s), short enough that an unreachable service fails fast.
    Setting("wikidata_timeout_s", 30.0, "Time limit for one request to Wikidata, in seconds."),
    # One process per query in flight, so a runaway or an engine crash costs only its own
    # request; 4 per HTTP worker keeps both cores busy with room for a slow query or two.
    Setting("query_processes", 4, "Query executor processes of each HTTP worker (no network)."),
    Setting("service_processes", 1,
            "Executor processes with network of each HTTP worker, for queries that may use SERVICE."),
    # Half the executors: one client's flood of slow queries leaves the other half to everyone else.
    Setting("max_client_queries", 2, "Queries one client address may have running per HTTP worker (then 429)."),
    Setting("query_wait_s", 5.0, "How long a query waits for a free executor before a 503, in seconds."),
]


@dataclass(frozen=True)
class Config:
    base_iri: str = DEFAULT_BASE_IRI
    sources_dir: str = str(PROJECT_ROOT / "sources")
    data_dir: str = str(PROJECT_ROOT / "data")
    ontology_dir: str = str(PROJECT_ROOT / "ontology")
    shapes_dir: str = str(PROJECT_ROOT / "shapes")
    queries_dir: str = str(PROJECT_ROOT / "queries")
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout_s: float = 30.0
    max_result_bytes: int = 64_000_000
    max_body_bytes: int = 1_000_000
    service_allowlist: str = "https://query.wikidata.org/sparql"
    threads: int = 8
    http_workers: int = 2
    wikidata_search_url: str = "https://www.wikidata.org/w/api.php"
    wikidata_sparql_url: str = "https://query.wikidata.org/sparql"
    wikidata_timeout_s: float = 30.0
    query_processes: int = 4
    service_processes: int = 1
    max_client_queries: int = 2
    query_wait_s: float = 5.0
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.service_allowlist.split(",") if s.strip())

    @property
    def store_dir(self) -> Path:
        return Path(self.data_dir) / "store"

    @property
    def dumps_dir(self) -> Path:
        return Path(self.data_dir) / "dumps"

    def with_(self, **overrides) -> "Config":
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _coerce(name: str, value):
    kind = type(next(s.default for s in SETTINGS if s.name == name))
    return kind(value)


def load_config(toml_path: str | os.PathLike | None = None, environ=None, **overrides) -> Config:
    """Build the frozen Config from the layers, in order; later layers win."""
    values: dict = {}
    path = Path(toml_path) if toml_path else Path("kg.toml")
    if path.is_file():
        with open(path, "rb") as fh:
            values.update(tomllib.load(fh))
    env = os.environ if environ is None else environ
    names = {f.name for f in fields(Config)} - {"extra"}
    for name in names:
        key = f"KG_{name.upper()}"
        if key in env:
            values[name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - names
    if unknown:
        from kg.errors import InputError
        raise InputError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    cfg = Config(**{k: _coerce(k, v) for k, v in values.items()})
    if not cfg.base_iri.endswith("/"):
        cfg = replace(cfg, base_iri=cfg.base_iri + "/")
    return cfg
