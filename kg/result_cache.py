"""Answers of the endpoint kept in memory, so that a query asked again of the same build is not run again.

An answer is kept under the build it came from, the query's key (its tokens, from
kg.query_analysis: white space and comments do not count), the dataset parameters and the
result format. Memory is bounded in bytes, the least recently used answers going first, and one
answer may take at most an eighth of it. A newly served build empties the cache, so an answer
never outlives its build nor crosses to another. Never kept: answers that could differ between
two runs on one build (queries calling NOW, RAND, UUID, STRUUID or BNODE, and queries with
SERVICE, whose answer is another endpoint's), refusals and errors. Each HTTP worker has its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from kg.query_analysis import Analysis


def repeatable(analysis: Analysis) -> bool:
    """Whether two runs of this query on one build give the same answer."""
    return not analysis.volatile and not analysis.services and analysis.form != "update"


class ResultCache:
    """Serialised answers by (query key, dataset, format), for one build at a time."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 8
        self.build: str | None = None
        self.entries: OrderedDict[tuple, bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def _for(self, build: str) -> None:
        """Empty the cache when `build` is not the one its answers came from (called holding the lock)."""
        if build != self.build:
            self.entries.clear()
            self.size = 0
            self.build = build

    def get(self, build: str, key: tuple) -> bytes | None:
        with self.lock:
            self._for(build)
            body = self.entries.get(key)
            if body is not None:
                self.entries.move_to_end(key)
            return body

    def put(self, build: str, key: tuple, body: bytes) -> None:
        if len(body) > self.max_entry:
            return
        with self.lock:
            self._for(build)
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self.entries[key] = body
            self.size += len(body)
            while self.size > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)
