"""The one small store interface the web layer queries through.

`LocalBackend` runs queries on the embedded Oxigraph store, in this process, under a time limit
(kg.runner: for programs and tests that embed the app);
`IsolatedBackend`, the one `kg serve` uses, runs each on the same store in an executor process
of its own (kg.pool), so no query can stall or crash another;
`RemoteBackend` sends them to any SPARQL 1.1 endpoint (Virtuoso, QLever, Fuseki) for users
who outgrow one machine. Both answer `query()` with serialised bytes.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from kg.config import Config
from kg.errors import StoreUnavailable
from kg.formats import by_name
from kg.store import current_dir, load_manifest


class LocalBackend:
    def __init__(self, config: Config):
        from kg.runner import QueryRunner
        self.config = config
        self.runner = QueryRunner(threads=max(1, config.threads), timeout_s=config.query_timeout_s)
        self._manifest_cache: tuple[str, dict] | None = None
        self._current_cache: tuple[str, str] | None = None
        self._store: tuple[str, object, object] | None = None
        self._lock = threading.Lock()

    def current(self) -> str:
        """The real path of the current build; one readlink per call notices a newly swapped-in build."""
        link = current_dir(self.config.data_dir)
        try:
            target = os.readlink(link)
        except OSError:
            target = None
        cached = self._current_cache
        if cached and target is not None and cached[0] == target:
            return cached[1]
        real = os.path.realpath(link)
        self._current_cache = (target, real) if target is not None else None
        return real

    def store(self):
        """A read-only handle on the current build's store, opened once per build."""
        return self._opened()[0]

    def _opened(self) -> tuple:
        """The current build's store and its summary (kg.summary), opened once per build."""
        import pyoxigraph as ox
        from kg import summary
        path = os.path.join(self.current(), "store")
        cached = self._store
        if cached and cached[0] == path:
            return cached[1:]
        with self._lock:
            if self._store and self._store[0] == path:
                return self._store[1:]
            if not os.path.isdir(path):
                raise StoreUnavailable(f"no built store at {current_dir(self.config.data_dir) / 'store'}: "
                                       "run `kg build` first")
            try:
                store = ox.Store.read_only(path)
            except (OSError, RuntimeError) as exc:     # RocksDB reports corrupt files as RuntimeError
                raise StoreUnavailable(f"cannot read the store: {exc}") from None
            self._store = (path, store, summary.load(os.path.dirname(path)))   # the previous build's let go
            return self._store[1:]

    def manifest(self) -> dict:
        """The current build's manifest (re-read when a new build is swapped in)."""
        real = self.current()
        if self._manifest_cache and self._manifest_cache[0] == real:
            return self._manifest_cache[1]
        path = Path(real) / "manifest.json"
        if not path.is_file():
            raise StoreUnavailable(f"no build at {current_dir(self.config.data_dir)}: run `kg build` first")
        manifest = load_manifest(path)
        self._manifest_cache = (real, manifest)
        return manifest

    def dumps_dir(self) -> Path:
        return Path(self.current()) / "dumps"

    def cache_scope(self) -> str | None:
        """What the answers come from, for kg.result_cache: the build being served."""
        return self.current()

    def query(self, text: str, kind: str, fmt: str, default_graphs=(), named_graphs=(),
              timeout_s: float | None = None) -> bytes:
        from kg.sparql import Dataset, execute
        store = self.store()
        opened = self._store      # the summary of the build whose store this is (kg.summary)
        summary = opened[2] if opened and opened[1] is store else None
        dataset = Dataset(tuple(default_graphs), tuple(named_graphs))
        try:
            return self.runner.run(lambda: execute(store, text, by_name(kind, fmt), dataset,
                                                   self.config.max_result_bytes, base_iri=self.config.base_iri,
                                                   services=self.config.services,
                                                   max_query_bytes=self.config.max_query_bytes,
                                                   max_query_depth=self.config.max_query_depth,
                                                   summary=summary),
                                   timeout_s)
        except OSError as exc:
            raise StoreUnavailable(f"cannot read the store: {' '.join(str(exc).split())[:300]}") from None
        except RuntimeError as exc:      # a damaged file found while reading: RocksDB says "Corruption"
            if not str(exc).startswith("Corruption"):
                raise
            raise StoreUnavailable(f"the store is damaged: {' '.join(str(exc).split())[:300]}") from None

    def select(self, text: str) -> list[dict]:
        """A SELECT for our own pages: rows of {var: value} (plain strings)."""
        data = json.loads(self.query(text, "results", "json"))
        return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]

    def close(self) -> None:
        self.runner.close()


class IsolatedBackend(LocalBackend):
    """Each query in an executor process; queries that may use SERVICE in the few with network."""

    def __init__(self, config: Config):
        from kg.pool import ExecutorPool
        self.config = config
        self._manifest_cache = None
        self._current_cache = None
        self.pool = ExecutorPool(config.query_processes, config.service_processes,
                                 config.max_client_queries, config.query_wait_s, config.query_share_s)
        self.pool.wait_started()      # serve queries only once they can run

    def query(self, text: str, kind: str, fmt: str, default_graphs=(), named_graphs=(),
              timeout_s: float | None = None) -> bytes:
        # a routing hint, not a gate: anything that might say SERVICE goes to an executor with
        # network, where kg.sparql's allow-list decides; all else runs where there is no network
        networked = bool(self.config.services) and "service" in text.lower()
        c = self.config
        job = (os.path.join(self.current(), "store"), text, kind, fmt, tuple(default_graphs),
               tuple(named_graphs), c.max_result_bytes, c.services,
               {"base_iri": c.base_iri, "max_query_bytes": c.max_query_bytes, "max_query_depth": c.max_query_depth})
        return self.pool.run(job, networked, timeout_s or self.config.query_timeout_s)

    def close(self) -> None:
        self.pool.close()


class RemoteBackend(LocalBackend):
    """Queries go to a remote endpoint; manifest and dumps still come from the local build."""

    def __init__(self, config: Config, endpoint: str):
        self.config = config
        self.endpoint = endpoint
        self._manifest_cache = None
        self._current_cache = None

    def query(self, text, kind, fmt, default_graphs=(), named_graphs=(), timeout_s=None) -> bytes:
        from kg.remote import remote_query
        return remote_query(self.endpoint, text, by_name(kind, fmt).media_type,
                            timeout_s or self.config.query_timeout_s, default_graphs, named_graphs)

    def cache_scope(self) -> str | None:
        """None: the remote endpoint's data may change at any time, so its answers are not kept."""
        return None

    def close(self) -> None:
        pass
