"""A remote SPARQL 1.1 endpoint (ours, Fuseki, Virtuoso, QLever, Wikidata) over the Protocol."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from kg import __version__
from kg.errors import KgError, QuerySyntaxError, StoreUnavailable


def remote_query(endpoint: str, query: str, accept: str, timeout_s: float,
                 default_graphs=(), named_graphs=()) -> bytes:
    """POST the query form-encoded (SPARQL 1.1 Protocol §2.1.2) and return the body."""
    params = [("query", query)] + [("default-graph-uri", g) for g in default_graphs] \
        + [("named-graph-uri", g) for g in named_graphs]
    data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(endpoint, data=data, headers={
        "Accept": accept, "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": f"soviets-kg/{__version__}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")[:2000]
        if exc.code == 400:
            raise QuerySyntaxError(f"{endpoint} refused the query: {body}") from None
        raise KgError(f"{endpoint} answered {exc.code}: {body}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise StoreUnavailable(f"cannot reach {endpoint}: {getattr(exc, 'reason', exc)}") from None
