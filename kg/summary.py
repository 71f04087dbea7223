"""Counts the build writes beside the store, so that a group-count over one triple pattern is answered
without scanning the triples it counts.

`kg build` writes `summary.json` into the build's folder (swapped in with it): for the store's
default graph, which holds each triple once, the number of triples of each predicate, and for
each predicate with at most MAX_OBJECTS distinct objects (none of them a blank node) the number
of triples of each (predicate, object). The predicate counts and the rdf:type counts are the
VoID partitions' own (kg.void), not counted again: a class partition counts DISTINCT subjects,
which is its number of rdf:type triples, since the default graph holds each triple once.

A query is answered from them only when a parse of its tokens (kg.sparql_lexer, the terminals as
Oxigraph reads them) finds exactly one of these, over the default graph:

    SELECT ?o (COUNT(*) AS ?n) WHERE { ?s <P> ?o } GROUP BY ?o   [ORDER BY …] [LIMIT …] [OFFSET …]
    SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p    [ORDER BY …] [LIMIT …] [OFFSET …]

with COUNT(*) or COUNT of one of the pattern's variables (always bound there), any number of
such counts, ORDER BY over projected variables only, and nothing else (no DISTINCT, FROM,
GRAPH, FILTER, HAVING, second pattern, expression, BASE or relative IRI). Such a query is
rewritten, not answered here: its pattern becomes a VALUES block of the counts and each COUNT a
SUM over them, the rest of the text kept as written, and Oxigraph evaluates that. Its prologue,
projection, names, ORDER BY, LIMIT and OFFSET being the query's own, the answer is the same
SPARQL answer and is written by Oxigraph's own serialisers. Anything else runs unchanged.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.sparql_lexer import END, IRI, NUMBER_, OP, PNAME, VAR, WORD_, LexError, Lexer, local_name, unescape_iri

SUMMARY_FILE = "summary.json"
# A predicate's per-object counts are kept when it has at most this many distinct objects: enough
# for classes, statement predicates, parties, places, stances; a VALUES block of this many rows
# costs Oxigraph about a millisecond to parse.
MAX_OBJECTS = 4096
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VERSION = 1
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_log = logging.getLogger(__name__)


def compute(store: ox.Store, classes: list[tuple[ox.Term, int]], properties: list[tuple[str, int]]) -> dict:
    """The summary of `store`'s default graph: `properties` are the counts per predicate and
    `classes` the counts per rdf:type object (kg.void.partitions computed both from the store)."""
    objects: dict[str, list[tuple[str, int]]] = {}
    for predicate, count in properties:
        if predicate == RDF_TYPE:
            rows = [(term, n) for term, n in classes]
        else:
            rows = _object_counts(store, ox.NamedNode(predicate), count)
        # VALUES holds IRIs and literals only: a predicate with a blank node (or triple term) among
        # its objects is not summarised
        if rows is not None and all(isinstance(term, (ox.NamedNode, ox.Literal)) for term, _ in rows):
            objects[predicate] = [(str(term), n) for term, n in rows]
    return {"version": VERSION, "max_objects": MAX_OBJECTS,
            "predicates": dict(properties), "objects": objects}


def _object_counts(store: ox.Store, predicate: ox.NamedNode, triples: int) -> list[tuple[ox.Term, int]] | None:
    """Triples per object of `predicate`, or None when it has more than MAX_OBJECTS distinct objects
    (found by a DISTINCT that stops at MAX_OBJECTS + 1, without grouping all of its triples)."""
    if triples > MAX_OBJECTS:
        probe = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?o WHERE { ?s %s ?o } LIMIT %d }"
                 % (predicate, MAX_OBJECTS + 1))
        if int(next(iter(store.query(probe)))["n"].value) > MAX_OBJECTS:
            return None
    q = "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s %s ?o } GROUP BY ?o" % predicate
    return [(r["o"], int(r["n"].value)) for r in store.query(q)]


def write(build_dir: Path, summary: dict) -> None:
    (Path(build_dir) / SUMMARY_FILE).write_text(json.dumps(summary, separators=(",", ":")), encoding="utf-8")


@dataclass
class Summary:
    """A build's counts, read back, and the VALUES rows made from them (each made once)."""

    predicates: dict[str, int]
    objects: dict[str, list[list]]
    _rows: dict = field(default_factory=dict)
    _sortable: dict = field(default_factory=dict)

    def rows(self, predicate: str | None) -> str | None:
        """VALUES rows `(term count)`: per object of `predicate`, or per predicate when None;
        None when the summary does not hold them."""
        if predicate in self._rows:
            return self._rows[predicate]
        if predicate is None:
            text = " ".join(f"(<{p}> {n})" for p, n in self.predicates.items())
        elif predicate in self.objects:
            text = " ".join(f"({t} {n})" for t, n in self.objects[predicate])
        elif predicate not in self.predicates:
            text = ""          # the default graph has no triple with this predicate: no group
        else:
            return None
        self._rows[predicate] = text
        return text

    def sorts_totally(self, predicate: str | None) -> bool:
        """Whether Oxigraph can sort the group keys: IRIs and literals of at most one datatype.
        Its ORDER BY is not a total order over some mixes of literal datatypes (xsd:integer, xsd:gYear
        and xsd:date among them), and Rust's sort then panics and ends the process; the rows of a
        VALUES block come in another order than the store's, so a query that Oxigraph happens to
        sort without that would not be rewritten into one that fails."""
        if predicate is None:
            return True                  # predicates are IRIs
        if predicate not in self._sortable:      # up to MAX_OBJECTS terms: looked at once per build
            kinds = {_literal_kind(term) for term, _ in self.objects.get(predicate, ())} - {None}
            self._sortable[predicate] = len(kinds) <= 1
        return self._sortable[predicate]

    def rewrite(self, query: str) -> str | None:
        """The query answered from the counts (see the module's docstring), or None when it is not
        exactly a group-count this summary holds."""
        found = parse_group_count(query)
        if found is None:
            return None
        rows = self.rows(found.predicate)
        if rows is None:
            return None
        if found.orders_by_key and not self.sorts_totally(found.predicate):
            return None
        taken = found.variables
        count = next(f"kg_count{i or ''}" for i in range(len(taken) + 1) if f"kg_count{i or ''}" not in taken)
        edits = [(a, b, f"SUM(?{count})") for a, b in found.counts]
        edits.append((found.group[0], found.group[1],
                      f"{{ VALUES (?{found.key} ?{count}) {{ {rows} }} }}"))
        out, at = [], 0
        for a, b, text in sorted(edits):
            out += [query[at:a], text]
            at = b
        out.append(query[at:])
        return "".join(out)


def _literal_kind(term: str) -> str | None:
    """The datatype family of a term written in N-Triples (None for an IRI); strings with and without
    a language tag are one family."""
    if term.startswith("<"):
        return None
    if term.endswith(">") and "^^<" in term:
        return term[term.rindex("^^<") + 3:-1]
    return "string"


def load(build_dir: str | os.PathLike) -> Summary | None:
    """The summary of the build in `build_dir` (a build's folder never changes once swapped in),
    or None when it has none or it cannot be read: the queries then run on the store alone."""
    return _load(str(build_dir))


@functools.lru_cache(maxsize=4)
def _load(build_dir: str) -> Summary | None:
    path = Path(build_dir) / SUMMARY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return None
        return Summary({str(p): int(n) for p, n in data["predicates"].items()},
                       {str(p): [[str(t), int(n)] for t, n in rows] for p, rows in data["objects"].items()})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        _log.warning("%s cannot be read (%s): queries run without it", path, exc)
        return None


@dataclass(frozen=True)
class GroupCount:
    """A query found to be a group-count over one triple pattern: what the rewrite needs."""

    predicate: str | None           # the pattern's predicate IRI; None when it is the group variable
    key: str                        # the group variable (the object's, or the predicate's)
    group: tuple[int, int]          # where the pattern's group { … } starts and ends in the text
    counts: tuple[tuple[int, int], ...]   # where each COUNT( … ) call starts and ends
    variables: frozenset[str]       # every variable name the query uses
    orders_by_key: bool = False     # whether ORDER BY sorts by the group variable


class _NoMatch(Exception):
    pass


class _Tokens:
    """The query's tokens, read as the grammar of the accepted form expects them (no operator '<')."""

    def __init__(self, text: str):
        self.lexer = Lexer(text)
        self.tok = self.lexer.next(True)

    def take(self):
        tok = self.tok
        self.tok = self.lexer.next(True)
        return tok

    def word(self, *words: str) -> bool:
        return self.tok.kind == WORD_ and self.tok.text.upper() in words

    def op(self, text: str) -> bool:
        return self.tok.kind == OP and self.tok.text == text

    def expect_word(self, word: str):
        if not self.word(word):
            raise _NoMatch
        return self.take()

    def expect_op(self, text: str):
        if not self.op(text):
            raise _NoMatch
        return self.take()

    def expect_var(self) -> str:
        if self.tok.kind != VAR:
            raise _NoMatch
        return self.take().text[1:]          # ?x and $x are one variable


def parse_group_count(query: str) -> GroupCount | None:
    """The group-count this query is, or None (any other query, or one this parse does not read)."""
    if "\\u" in query or "\\U" in query:      # escapes read otherwise in other builds of the parser
        return None
    try:
        return _parse(_Tokens(query))
    except (_NoMatch, LexError, ValueError):
        return None


def _parse(t: _Tokens) -> GroupCount:
    prefixes: dict[str, str] = {}
    while t.word("PREFIX"):
        t.take()
        name = t.take()
        iri = t.take()
        if name.kind != PNAME or not name.text.endswith(":") or iri.kind != IRI:
            raise _NoMatch
        prefixes[name.text[:-1]] = _absolute(unescape_iri(iri.text))
    t.expect_word("SELECT")
    projected: list[str] = []
    aliases: list[str] = []
    counted: list[str | None] = []
    counts: list[tuple[int, int]] = []
    while not (t.word("WHERE") or t.op("{")):
        if t.tok.kind == VAR:
            projected.append(t.expect_var())
            continue
        t.expect_op("(")
        start = t.expect_word("COUNT").pos
        t.expect_op("(")
        if t.op("*"):
            t.take()
            counted.append(None)
        else:
            counted.append(t.expect_var())
        counts.append((start, t.expect_op(")").end))
        t.expect_word("AS")
        aliases.append(t.expect_var())
        t.expect_op(")")
    if not counts:
        raise _NoMatch
    if t.word("WHERE"):
        t.take()
    group_start = t.expect_op("{").pos
    subject = t.expect_var()
    if t.tok.kind == VAR:
        predicate, p_var = None, t.expect_var()
    elif t.tok.kind == WORD_ and t.tok.text == "a":
        t.take()
        predicate, p_var = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", None
    elif t.tok.kind == IRI:
        predicate, p_var = _absolute(unescape_iri(t.take().text)), None
    elif t.tok.kind == PNAME:
        prefix, _, local = t.take().text.partition(":")
        if prefix not in prefixes:
            raise _NoMatch
        predicate, p_var = _absolute(prefixes[prefix] + local_name(local)), None
    else:
        raise _NoMatch
    obj = t.expect_var()
    if t.op("."):
        t.take()
    group_end = t.expect_op("}").end
    t.expect_word("GROUP")
    t.expect_word("BY")
    key = t.expect_var()
    pattern = [v for v in (subject, p_var, obj) if v is not None]
    if len(set(pattern)) != len(pattern) or key != (p_var if predicate is None else obj):
        raise _NoMatch
    names = set(aliases)
    if (len(names) != len(aliases) or names & set(pattern) or any(v != key for v in projected)
            or len(projected) > 1 or any(v is not None and v not in pattern for v in counted)):
        raise _NoMatch
    by_key = False
    if t.word("ORDER"):
        t.take()
        t.expect_word("BY")
        ordered = 0
        while True:
            if t.word("ASC", "DESC"):
                t.take()
                t.expect_op("(")
                var = t.expect_var()
                t.expect_op(")")
            elif t.tok.kind == VAR:
                var = t.expect_var()
            else:
                break
            if var != key and var not in names:
                raise _NoMatch
            by_key = by_key or var == key
            ordered += 1
        if not ordered:
            raise _NoMatch
    seen: set[str] = set()
    while t.word("LIMIT", "OFFSET"):
        clause = t.take().text.upper()
        if clause in seen or t.tok.kind != NUMBER_ or not t.tok.text.isdigit():
            raise _NoMatch
        seen.add(clause)
        t.take()
    if t.tok.kind != END:
        raise _NoMatch
    return GroupCount(predicate, key, (group_start, group_end), tuple(counts),
                      frozenset(pattern) | names | {key}, by_key)


def _absolute(iri: str) -> str:
    """An absolute IRI as the engine would read it; anything relative (resolved against a base) is
    not matched."""
    if not _SCHEME.match(iri):
        raise _NoMatch
    return ox.NamedNode(iri).value
