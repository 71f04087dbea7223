"""Settings declared once, as the fields of `Config`: defaults → kg.toml → KG_* environment →
explicit overrides, each value converted to its setting's type with an error naming the setting
and where the value came from."""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from kg.errors import InputError, Location

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE_IRI = "https://w3id.org/soviets/"


def setting(default, help: str, minimum: float | None = None, maximum: float | None = None):
    """A field of Config that is a user setting: its default, what it is for, its bounds."""
    return field(default=default, metadata={"help": help, "minimum": minimum, "maximum": maximum})


@dataclass(frozen=True)
class Config:
    base_iri: str = setting(DEFAULT_BASE_IRI,
                            "Base IRI under which entities, graphs and the ontology are minted (ends with '/').")
    sources_dir: str = setting(str(PROJECT_ROOT / "sources"),
                               "Folder with the source texts, sources.yaml, entities/ and annotations/.")
    data_dir: str = setting(str(PROJECT_ROOT / "data"),
                            "Folder where `kg build` writes the store (data/store) and the dumps (data/dumps).")
    ontology_dir: str = setting(str(PROJECT_ROOT / "ontology"), "Folder with the OWL ontology in Turtle.")
    shapes_dir: str = setting(str(PROJECT_ROOT / "shapes"), "Folder with the SHACL shapes.")
    queries_dir: str = setting(str(PROJECT_ROOT / "queries"), "Folder with the named SPARQL queries.")
    host: str = setting("127.0.0.1", "Address `kg serve` listens on.")
    port: int = setting(8000, "Port `kg serve` listens on.", 1, 65535)
    # 30 s as in Oxigraph server's and Fuseki's defaults: long enough for any honest query on this corpus.
    query_timeout_s: float = setting(30.0, "Time limit for one SPARQL query, in seconds.", 0.001)
    # Far above any honest answer over this corpus (the whole graph is ~10 MB as N-Triples),
    # far below what would exhaust memory; results past it are cut with an error, not buffered.
    max_result_bytes: int = setting(64_000_000, "Largest serialised result one query may return, in bytes.", 1)
    max_body_bytes: int = setting(1_000_000, "Largest request body accepted by the endpoint.", 1)
    # Federated queries may reach only these endpoints: the endpoint must not become a proxy.
    service_allowlist: str = setting("https://query.wikidata.org/sparql",
                                     "Comma-separated SPARQL endpoints a query may call with SERVICE (empty: none).")
    # Under `kg serve` a request thread mostly waits for an executor, so threads are cheap and
    # must not be what runs out first: with 8, fifty addresses' runaways queued a look-up behind
    # theirs for 12 s; with 32 it waited in line for an executor and was answered in 10 ms (p50).
    threads: int = setting(32, "Threads of each HTTP worker; they run the queries.", 1)
    http_workers: int = setting(2, "HTTP worker processes of `kg serve`.", 1)
    # Wikidata's own services; tests point these at a local stand-in (tests/fixtures/wikidata/).
    wikidata_search_url: str = setting("https://www.wikidata.org/w/api.php",
                                       "Wikidata's action API, asked for candidates by `kg link` (wbsearchentities).")
    wikidata_sparql_url: str = setting("https://query.wikidata.org/sparql",
                                       "Wikidata's SPARQL service, asked by `kg link` for candidates' types, "
                                       "dates and redirects.")
    # Long enough for one SPARQL query over a few dozen items on the public service (its own
    # limit is 60 s), short enough that an unreachable service fails fast.
    wikidata_timeout_s: float = setting(30.0, "Time limit for one request to Wikidata, in seconds.", 0.001)
    # As large as the largest request body (max_body_bytes): a query has no other reason to be
    # longer, and reading 1 MB of query text takes the analysis well under a second.
    max_query_bytes: int = setting(1_000_000, "Longest SPARQL query accepted, in bytes (longer: 413).", 1)
    # Each level costs the engine up to ~10 kB of stack (nested EXISTS, measured with pyoxigraph
    # 0.5.13), so 128 levels stay under 1.5 MB, far inside a thread's 8 MB; the deepest named
    # query needs fewer than 20.
    max_query_depth: int = setting(128, "Deepest nesting a query may have: brackets, chained operators, "
                                   "OPTIONAL/UNION/MINUS/FILTER/BIND links and negations, counted together "
                                   "(deeper: 400).", 1)
    # One process per query in flight, so a runaway or an engine crash costs only its own
    # request; 4 per HTTP worker keeps both cores busy with room for a slow query or two.
    query_processes: int = setting(4, "Query executor processes of each HTTP worker (no network).", 1)
    service_processes: int = setting(1, "Executor processes with network of each HTTP worker, for queries "
                                     "that may use SERVICE.", 1)
    # Half the executors: one client's flood of slow queries leaves the other half to everyone else.
    max_client_queries: int = setting(2, "Queries one client address may have running per HTTP worker "
                                      "(then 429).", 1)
    query_wait_s: float = setting(5.0, "How long a query waits for a free executor before a 503, in seconds.", 0.001)
    # Least attained service first: with every executor busy, a query that has run this long may
    # be stopped for a waiting client that has used less query time, so that runaways sent from
    # many addresses cost their own time slices, not everyone's answers (Wikidata's query service
    # likewise rations query time per client). Well under query_wait_s, so that room is made
    # before a waiting query gives up.
    query_share_s: float = setting(2.0, "Under full load, how long a query may run before it may be stopped "
                                   "(503) to make room for a waiting query of a client that has used less "
                                   "query time, in seconds.", 0.001)
    # A few thousand typical answers (a named query's is 1-50 kB) per HTTP worker, small beside
    # the store's own caches; an answer is kept for the build it came from only.
    result_cache_bytes: int = setting(32_000_000, "Memory each HTTP worker of the endpoint keeps answers in, in "
                                      "bytes, so that a query asked again of the same build is not run again "
                                      "(0: no cache).", 0)
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


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    minimum: float | None = None
    maximum: float | None = None

    @property
    def kind(self) -> type:
        return type(self.default)

    @property
    def env(self) -> str:
        return f"KG_{self.name.upper()}"


SETTINGS = [Setting(f.name, f.default, f.metadata["help"], f.metadata["minimum"], f.metadata["maximum"])
            for f in fields(Config) if "help" in f.metadata]
BY_NAME = {s.name: s for s in SETTINGS}
_KIND_WORDS = {int: "a whole number", float: "a number", str: "text"}


def convert(name: str, value, origin: str):
    """`value` as the type of setting `name`, or an InputError naming the setting and `origin`."""
    s = BY_NAME[name]
    where = f"setting {name} ({origin})"
    if s.kind is str:
        if not isinstance(value, str):
            raise InputError(f"{where}: {value!r} is not text")
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"{where}: {value!r} is not {_KIND_WORDS[s.kind]}")
    try:
        number = s.kind(value.strip() if isinstance(value, str) else value)
        if isinstance(value, float) and s.kind is int and value != int(value):
            raise ValueError
    except (ValueError, OverflowError):
        raise InputError(f"{where}: {value!r} is not {_KIND_WORDS[s.kind]}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise InputError(f"{where}: {value!r} is not a finite number")
    if s.minimum is not None and number < s.minimum or s.maximum is not None and number > s.maximum:
        bounds = f"from {s.minimum:g}" + (f" to {s.maximum:g}" if s.maximum is not None else " up")
        raise InputError(f"{where}: {value!r} is out of range ({bounds})")
    return number


def read_toml(path: Path) -> dict:
    """The settings of a kg.toml file; a malformed file is an InputError with its line."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        message = str(exc).split(" (at line")[0]
        raise InputError(f"malformed TOML: {message}", Location(str(path), line)) from None
    except OSError as exc:
        raise InputError(f"cannot read the settings file: {exc.strerror}", Location(str(path))) from None


def load_config(toml_path: str | os.PathLike | None = None, environ=None, **overrides) -> Config:
    """Build the frozen Config from the layers, in order; later layers win.

    `toml_path` names a file that must exist (`--config FILE`); without it, ./kg.toml is read
    when present."""
    values: dict = {}
    if toml_path is not None:
        path = Path(toml_path)
        if not path.is_file():
            raise InputError(f"--config {toml_path}: no such file")
    else:
        path = Path("kg.toml")
    if path.is_file():
        loaded = read_toml(path)
        unknown = sorted(set(loaded) - set(BY_NAME))
        if unknown:
            raise InputError(f"{path}: unknown setting(s): {', '.join(unknown)}; "
                               f"known: {', '.join(BY_NAME)}")
        values.update({k: convert(k, v, f"from {path}") for k, v in loaded.items()})
    env = os.environ if environ is None else environ
    for s in SETTINGS:
        if s.env in env:
            values[s.name] = convert(s.name, env[s.env], f"from environment variable {s.env}")
    for name, value in overrides.items():
        if value is None:
            continue
        if name not in BY_NAME:
            raise InputError(f"unknown setting: {name}")
        values[name] = convert(name, value, "from the command line")
    cfg = Config(**values)
    if not cfg.base_iri.endswith("/"):
        cfg = replace(cfg, base_iri=cfg.base_iri + "/")
    return cfg


def rebaser(base_iri: str):
    """Rewrite the default base IRI in ontology, shapes and queries to the configured one."""
    if base_iri == DEFAULT_BASE_IRI:
        return lambda text: text
    return lambda text: text.replace(DEFAULT_BASE_IRI, base_iri)


def shown(path: str) -> str:
    """A folder as shown to visitors: relative to the project when inside it, else its name."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(PROJECT_ROOT)) + "/"
    except ValueError:
        return p.name + "/"
