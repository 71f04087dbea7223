"""What a query is, decided from its tokens before the engine sees it: its form, every SERVICE
endpoint, its nesting depth and size, and any prefix it uses without declaring.

The tokens come from kg.sparql_lexer, which reads the terminals as Oxigraph's parser (spargebra
0.4, inside pyoxigraph 0.5) reads them. One pass over them, with a stack of open brackets, no
recursion and no backtracking, so time is linear in the query's length and memory is bounded by
`max_depth`; the pass stops at the first limit it meets. The depth counts what the engine
recurses on (measured with pyoxigraph 0.5.13, whose parser and evaluator overflow a thread's
stack at a few thousand levels): open brackets, plus the links of each chain at its level
(binary operators, and groups, FILTERs and BINDs one after another in a group, which the engine
nests left-deep), plus runs of unary operators.

Where '<' is an IRI and where it is the operator. The grammar has no operator '<' outside
expressions, and every expression sits inside a '(' opened by FILTER, BIND, HAVING, a built-in
or function call, a SELECT projection or a GROUP BY / ORDER BY condition. spargebra reads an IRI
wherever an operand may start, and the operator '<' only right after a complete operand (a term,
a ')' or the '}' of EXISTS { … }), because two operands never follow each other inside an
expression. So the pass marks each '(' as an
expression or not (a collection, a property path, a VALUES row, a VALUES variable list) and
tells the lexer to read '<' as the operator exactly when it stands after an operand inside an
expression. The one way for a SERVICE to hide would be a '(' the pass takes for a collection
while the engine reads an expression: the '<…>' read as an IRI there would be operators and
operands to the engine. Two things close that door. The classification errs towards
"expression" (any keyword before the '(' makes it one, and so does a SELECT, GROUP BY, ORDER BY
or HAVING clause of the current group), and an IRI read after an operand in a collection is
refused when its text holds what could change the reading around it: '#' or "'" (a comment or
string in the operator reading, running past the '>'), brackets or '!' (depth), or the word
"service". An IRI cannot hold '<', '{', '}', whitespace or quotes, so a SERVICE's own group can
never hide inside one.

Keywords: spargebra compares a keyword's letters case-insensitively and asks nothing of the
character after it, so `SERVICE<x>` and `SERVICESILENT<x>` are SERVICE calls, and an undeclared
prefixed name such as `trueSERVICEex:x` can be read as `true` then `SERVICE ex:x`. Hence: any bare
word containing "service" other than SERVICE and SERVICESILENT is refused, every undeclared prefix
is refused, and a prefixed name containing "service" before its colon directly followed by '{'
inside a group is refused. Escapes: pyoxigraph 0.5 is built without spargebra's
`standard-unicode-escaping`, so \\u escapes count only inside IRIs and strings (tests check this);
a query holding \\u or \\U is analysed a second time with every escape replaced, as a build with
that feature would read it, and must pass both times.

Readings the engine drops. A PEG parser that rejects a token on inspection tries the next
alternative at the same place, and two of spargebra's rejections re-read the text: a prefixed
name whose expansion is not a valid IRI becomes `prefix:` followed by its local part read as
new tokens (`ex:SERVICE<…>{}` with `PREFIX ex: <http://a:1>` calls the endpoint), and a long
string holding an escape that names no character becomes an empty string `''` followed by a
new string, shifting every quote after it. So the pass checks each expansion as the engine
does (oxiri, through pyoxigraph's NamedNode) and the lexer refuses such escapes: every token
it accepts, the engine accepts whole.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.config import Config
from kg.errors import KgError, PayloadTooLarge, QuerySyntaxError
from kg.query_messages import undeclared_prefix_hint
from kg.sparql_lexer import (BNODE_, END, IRI, LANG, NUMBER_, OP, PNAME, STRING, VAR, WORD_, LexError,
                             Lexer, Token, line_col, local_name, unescape_codepoints, unescape_iri)

_DEFAULTS = Config()
FORMS = ("select", "ask", "construct", "describe")
UPDATES = ("insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with")
_OPERAND_OPS = frozenset((")", "]", ")>>"))
_BINARY = frozenset(("||", "&&", "=", "!=", "<", ">", "<=", ">=", "*", "/", "|"))
_OPEN = {"(": ")", "<<(": ")>>", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())
_NOT_EXPR_WORDS = frozenset(("values", "a", "true", "false"))
_GLUED_BEFORE_CALL = ("filter", "having", "by", "asc", "desc", "order", "group", "select")
_CLAUSES = ("select", "group", "order", "having")
# spargebra has two alternatives for these calls (REGEX with 2 or 3 arguments, …) and re-reads
# the arguments for the second; it also re-reads what follows a '!' when that fails to parse.
# Each such call or negated group nested in another doubles the work: 2^25 re-reads of a
# 100-byte query pin a core for minutes. Six levels (64 re-reads) is more than any honest
# query nests these, and keeps the worst case of a 1 MB query under a second of parsing.
_REREAD_CALLS = frozenset(("regex", "substr", "replace", "group_concat"))
MAX_REREAD_NESTING = 6
# Oxigraph joins the triple patterns of a query one after another, recursing once for each:
# pyoxigraph 0.5.13 overflows its stack (a segmentation fault) at about 9,000 patterns, in one
# group or spread over several, however short the query (9 bytes a pattern), and its planner
# alone takes seconds past 100 unconnected patterns. A thousand is far past any honest query.
MAX_PATTERNS = 1_000
_PATTERN_ENDS = frozenset((".", ";", ","))
_TERMS = frozenset((VAR, IRI, PNAME, STRING, NUMBER_, BNODE_))
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_RISKY_IN_IRI = re.compile(r"[#'()\[\]!]|[sS][eE][rR][vV][iI][cC][eE]")
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")



class ServiceNotAllowed(KgError):
    """A SERVICE to an endpoint off the allow-list, to a variable or to a relative IRI."""

    status = 403
    exit_code = 2


class AmbiguousQuery(QuerySyntaxError):
    """Text the engine could read otherwise than this pass, in a way that could hide a SERVICE (400)."""


class QueryTooLarge(PayloadTooLarge):
    """The query text is longer than `max_query_bytes` (413)."""


class QueryTooDeep(KgError):
    """The query nests deeper than `max_query_depth` (400): the engine's stack would not hold it."""

    status = 400
    exit_code = 2


@dataclass(frozen=True)
class Service:
    iri: str
    line: int
    column: int


@dataclass(frozen=True)
class Analysis:
    form: str                        # select, ask, construct, describe or update
    services: tuple[Service, ...]
    depth: int
    size: int
    # the query as its tokens, white space and comments left out: two texts with the same key
    # are the same query (kg.result_cache keeps answers by it)
    key: str = ""
    volatile: bool = False           # calls a function whose value is new at each run (NOW, RAND, …)


# Built-in functions whose value differs from one run of a query to the next.
VOLATILE_CALLS = frozenset(("now", "rand", "uuid", "struuid", "bnode"))


def ascii_lower(text: str) -> str:
    """Lower case as spargebra compares keywords: ASCII letters only."""
    return text.translate(_LOWER)


def analyse(query: str, max_bytes: int | None = None, max_depth: int | None = None) -> Analysis:
    """Form, SERVICE endpoints, depth and size of `query`, or the first reason to refuse it."""
    max_bytes = _DEFAULTS.max_query_bytes if max_bytes is None else max_bytes
    max_depth = _DEFAULTS.max_query_depth if max_depth is None else max_depth
    if len(query) <= _CACHED_LENGTH:
        return _analyse_cached(query, max_bytes, max_depth)
    return _analyse(query, max_bytes, max_depth)


# The endpoint asks twice per request (for the result kind, then to run), and pages repeat the
# same few queries: short queries are remembered (refusals are not, and are cheap to redo).
_CACHED_LENGTH = 8_192


@functools.lru_cache(maxsize=512)
def _analyse_cached(query: str, max_bytes: int, max_depth: int) -> Analysis:
    return _analyse(query, max_bytes, max_depth)


def _analyse(query: str, max_bytes: int, max_depth: int) -> Analysis:
    size = len(query) if query.isascii() else len(query.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryTooLarge(f"the query is {size} bytes long; the limit is {max_bytes} bytes (max_query_bytes)")
    first = _Pass(query, max_depth)
    form, services, depth = first.run()
    if form != "update" and ("\\u" in query or "\\U" in query):
        _, more, other_depth = _Pass(unescape_codepoints(query), max_depth, lenient=True).run()
        services += tuple(s for s in more if s not in services)
        depth = max(depth, other_depth)
    seen = first.lexer.seen
    key = "\x1f".join(f"{t.kind}\x1e{t.text}" for t in seen)
    volatile = any(t.kind == WORD_ and ascii_lower(t.text) in VOLATILE_CALLS for t in seen)
    return Analysis(form, services, depth, size, key, volatile)


class _RecordingLexer(Lexer):
    """The lexer, keeping every token it read (for the query's key)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.seen: list[Token] = []

    def next(self, iri_ok: bool) -> Token:
        tok = super().next(iri_ok)
        self.seen.append(tok)
        return tok


class _Pass:
    """One left-to-right pass over the tokens of one reading of the query."""

    def __init__(self, text: str, max_depth: int, lenient: bool = False):
        self.text = text
        self.max_depth = max_depth
        self.lenient = lenient
        self.lexer = _RecordingLexer(text)
        self.prefixes: dict[str, str] = {}
        self.services: list[Service] = []

    def run(self) -> tuple[str, tuple[Service, ...], int]:
        try:
            return self._run()
        except LexError as exc:
            if self.lenient:      # the engine fails on this reading too; its SERVICEs so far count
                return "select", tuple(self.services), 0
            raise self.error(exc.pos, f"expected {exc.expected}") from None
        except QuerySyntaxError as exc:
            # a reading the engine would reject anyway counts for what it found so far; a
            # refusal for ambiguity stands in every reading
            if self.lenient and not isinstance(exc, AmbiguousQuery):
                return "select", tuple(self.services), 0
            raise

    def error(self, pos: int, message: str, cls=QuerySyntaxError) -> KgError:
        line, col = line_col(self.text, pos)
        what = "SPARQL syntax error" if cls is QuerySyntaxError else "query refused"
        if cls is AmbiguousQuery:
            what = "ambiguous query"
        return cls(f"{what} at line {line}, column {col}: {message}")

    def _prologue(self) -> Token:
        lex = self.lexer
        tok = lex.next(True)
        while True:
            low = ascii_lower(tok.text) if tok.kind in (WORD_, PNAME) else ""
            if tok.kind == WORD_ and low == "base":
                self._expect_iri()
            elif tok.kind == WORD_ and low == "prefix":
                ns = lex.next(True)
                if ns.kind != PNAME or not ns.text.endswith(":"):
                    raise self.error(ns.pos, "expected a prefix name ending with ':' after PREFIX")
                self.prefixes[ns.text[:-1]] = self._expect_iri()
            elif tok.kind == PNAME and low.startswith("prefix") and tok.text.endswith(":"):
                self.prefixes[tok.text[6:-1]] = self._expect_iri()      # PREFIX glued to its name
            elif tok.kind == WORD_ and low == "version":
                if lex.next(True).kind != STRING:
                    raise self.error(lex.pos, "expected a version string after VERSION")
            else:
                return tok
            tok = lex.next(True)

    def _expect_iri(self) -> str:
        tok = self.lexer.next(True)
        if tok.kind != IRI:
            raise self.error(tok.pos, "expected an IRI in <…>")
        return unescape_iri(tok.text)

    def _run(self) -> tuple[str, tuple[Service, ...], int]:
        tok = self._prologue()
        low = ascii_lower(tok.text) if tok.kind in (WORD_, PNAME) else ""
        form = next((f for f in FORMS if low.startswith(f)), None)
        if form is None:
            if any(low.startswith(u) for u in UPDATES):
                return "update", (), 0
            raise self.error(tok.pos, "expected SELECT, ASK, CONSTRUCT or DESCRIBE"
                             + (f", not {tok.text[:40]!r}" if tok.kind != END else ""))
        return form, *self._body(tok)

    def _body(self, tok: Token) -> tuple[tuple[Service, ...], int]:
        lex, max_depth = self.lexer, self.max_depth
        # one entry per open bracket: kind ('{', 'values', '[', 'expr', 'plain', 'row', 'triple', 'root'),
        # the closing text, where it opened, depth at opening, chain items before it, clause flag
        kinds, closers, opened, bases, saved_items, clause = ["root"], [""], [0], [0], [0], [False]
        rereads = [0]              # nested calls and negated groups the engine reads twice, per level
        items = unary = depth = 0
        bang = False               # a '!' stands before what comes next
        prev = prev2 = None
        values_pending = False
        service_state = 0          # 1: after SERVICE, 2: after SERVICE SILENT
        operand = False            # the token before ended an operand
        first = True
        patterns = 0               # triple patterns, counted from above (trailing separators too)
        while True:
            if not first:
                tok = lex.next(not (operand and kinds[-1] == "expr"))
            first = False
            kind, text = tok.kind, tok.text
            if kind == END:
                break
            if service_state:
                low = ascii_lower(text)
                if kind == WORD_ and service_state == 1 and low == "silent":
                    service_state = 2
                elif service_state == 1 and low.startswith("silent"):
                    # the engine tries SILENT first: `SERVICE SILENTex:x` may call `ex:x`
                    raise self.error(tok.pos, f"SERVICE {text[:40]}: write SILENT apart from the endpoint",
                                     AmbiguousQuery)
                else:
                    self._service_target(tok)
                    service_state = 0
                prev2, prev, operand = prev, tok, False
                continue
            if kind == OP:
                if text in _OPEN:
                    if text == "{":
                        if prev is not None and prev.kind == PNAME and kinds[-1] == "{":
                            self._glued_service_before_group(prev, prev2)
                        new = "values" if values_pending else "{"
                        values_pending = False
                        clause[-1] = False
                    elif text == "[":
                        new = "["
                    elif text == "<<(":
                        new = "triple"      # a triple term holds terms only, never an operator
                    else:
                        new = self._paren_kind(kinds[-1], clause[-1], prev, prev2)
                    twice = bang or (prev is not None and prev.kind == WORD_
                                     and ascii_lower(prev.text) in _REREAD_CALLS)
                    rereads.append(rereads[-1] + twice)
                    if rereads[-1] > MAX_REREAD_NESTING:
                        raise self.error(tok.pos, f"more than {MAX_REREAD_NESTING} nested REGEX, SUBSTR, REPLACE, "
                                                  "GROUP_CONCAT calls or negated groups", QueryTooDeep)
                    saved_items.append(items)
                    bases.append(bases[-1] + items + unary + 1)
                    kinds.append(new)
                    closers.append(_OPEN[text])
                    opened.append(tok.pos)
                    clause.append(False)
                    items = unary = 0
                elif text in _CLOSE:
                    if len(kinds) == 1 or closers[-1] != text:
                        want = f"{closers[-1]!r} to close what opened at line {line_col(self.text, opened[-1])[0]}" \
                            if len(kinds) > 1 else "no closing bracket here"
                        raise self.error(tok.pos, f"unexpected {text!r}; expected {want}")
                    closed = kinds.pop()
                    closers.pop(), opened.pop(), bases.pop(), clause.pop(), rereads.pop()
                    items = saved_items.pop()
                    if kinds[-1] in ("{", "root") and closed != "row":
                        items += 1              # a group, FILTER or BIND: one more link in this chain
                    unary = 0
                elif text in _BINARY or (text in ("+", "-") and operand):
                    items += 1
                    unary = 0
                elif text in ("!", "+", "-", "^"):
                    unary += 1
            elif kind == WORD_:
                low = ascii_lower(text)
                if "service" in low:
                    if low == "service":
                        service_state = 1
                    elif low == "servicesilent":
                        service_state = 2
                    else:
                        raise self.error(tok.pos, f"{text!r}: write SERVICE apart from the word it touches",
                                         AmbiguousQuery)
                elif low == "values":
                    values_pending = True
                    clause[-1] = False
                elif low.startswith(_CLAUSES):
                    clause[-1] = True
                if low in ("true", "false"):
                    unary = 0
            else:
                if kind == PNAME:
                    self._expand(tok)
                elif kind == IRI and kinds[-1] == "plain" and operand \
                        and _RISKY_IN_IRI.search(text):
                    raise self.error(tok.pos, f"<{text[:60]}> after a term inside '(': write a space after a '<' "
                                              "that compares, or give this IRI a PREFIX", AmbiguousQuery)
                unary = 0
            if kind == OP and text in _PATTERN_ENDS and kinds[-1] in ("{", "["):
                patterns += 1
            elif kinds[-1] == "plain" and (kind in _TERMS or kind == WORD_ and ascii_lower(text) in ("true", "false")):
                patterns += 2      # a member of a collection is two triples (rdf:first, rdf:rest)
            if patterns > MAX_PATTERNS:
                raise self.error(tok.pos, f"more than {MAX_PATTERNS:,} triple patterns (the engine joins them "
                                          "one within another, and its stack would not hold them)", QueryTooDeep)
            bang = (kind == OP and text == "!") or (bang and kind in (WORD_, IRI, PNAME))
            level = bases[-1] + items + unary
            if level > depth:
                depth = level
                if depth > max_depth:
                    raise self.error(tok.pos, f"the query nests deeper than {max_depth} levels "
                                              "(brackets, chained operators and patterns, negations; "
                                              "max_query_depth)", QueryTooDeep)
            # '}' ends an operand only inside an expression: the group of EXISTS { … }
            operand = (kinds[-1] == "expr" if text == "}" else True) if kind == OP and text in _CLOSE \
                else _ends_operand(tok)
            prev2, prev = prev, tok
        if service_state:
            raise self.error(len(self.text), "expected the endpoint's IRI after SERVICE")
        if len(kinds) > 1:
            line, col = line_col(self.text, opened[-1])
            raise self.error(len(self.text), f"expected {closers[-1]!r} to close the bracket opened at line "
                                             f"{line}, column {col}")
        return tuple(self.services), depth

    @staticmethod
    def _paren_kind(top: str, in_clause: bool, prev: Token | None, prev2: Token | None) -> str:
        """Whether a '(' opens an expression (where '<' can be an operator) or not."""
        if top == "expr":
            return "expr"
        if top == "values":
            return "row"
        if prev is not None and prev.kind == WORD_ and ascii_lower(prev.text) not in _NOT_EXPR_WORDS:
            return "expr"            # FILTER, BIND, HAVING, BY, IN, a built-in or an aggregate
        if in_clause:
            return "expr"            # SELECT (…), GROUP BY / ORDER BY <fn>(…), HAVING
        if prev is not None and prev.kind in (IRI, PNAME) and prev2 is not None and prev2.kind == WORD_ \
                and ascii_lower(prev2.text) == "filter":
            return "expr"            # FILTER <fn>(…)
        if prev is not None and prev.kind == PNAME and ascii_lower(prev.text).startswith(_GLUED_BEFORE_CALL):
            return "expr"            # FILTERex:fn(…): the engine may read FILTER, then a call
        return "plain"

    def _expand(self, tok: Token) -> str:
        prefix, _, local = tok.text.partition(":")
        if prefix not in self.prefixes:
            if "service" in ascii_lower(prefix):
                raise self.error(tok.pos, f"{tok.text!r}: write SERVICE apart from its endpoint", AmbiguousQuery)
            raise self.error(tok.pos, undeclared_prefix_hint(prefix))
        iri = self.prefixes[prefix] + local_name(local)
        if local and not _valid_expansion(self.prefixes[prefix], iri, local):
            # spargebra would drop this reading for `prefix:` followed by the local part as new
            # tokens, which could be a keyword (`ex:SERVICE<…>{…}` is a SERVICE call then)
            raise self.error(tok.pos, f"{tok.text} expands to <{iri[:80]}>, which is not a valid IRI",
                             AmbiguousQuery)
        return iri

    def _service_target(self, tok: Token) -> None:
        line, col = line_col(self.text, tok.pos)
        if tok.kind == VAR:
            raise ServiceNotAllowed(f"SERVICE {tok.text} at line {line}, column {col}: "
                                    "a variable endpoint is not allowed")
        if tok.kind == IRI:
            iri = unescape_iri(tok.text)
        elif tok.kind == PNAME:
            iri = self._expand(tok)
        else:
            raise self.error(tok.pos, "expected the endpoint's IRI after SERVICE")
        if not _SCHEME.match(iri):
            raise ServiceNotAllowed(f"SERVICE <{iri}> at line {line}, column {col}: "
                                    "the endpoint must be an absolute IRI")
        self.services.append(Service(iri, line, col))

    def _glued_service_before_group(self, prev: Token, prev2: Token | None) -> None:
        """`SERVICEex:x {` and the like: the engine may read SERVICE then `ex:x`."""
        prefix = ascii_lower(prev.text.partition(":")[0])
        if "service" in prefix and not (prev2 is not None and prev2.kind == WORD_
                                        and ascii_lower(prev2.text) in ("graph", "service", "silent")):
            raise self.error(prev.pos, f"{prev.text!r} before a group: write SERVICE apart from its endpoint",
                             AmbiguousQuery)


def _valid_expansion(namespace: str, iri: str, local: str) -> bool:
    """Whether the engine accepts a prefixed name's expansion as it is (it checks it with
    oxiri, as pyoxigraph's NamedNode does). A relative namespace is resolved by the engine
    against BASE, which this pass does not do: then only a local part without "service" passes."""
    if not _SCHEME.match(namespace):
        return "service" not in ascii_lower(local)
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _ends_operand(tok: Token) -> bool:
    kind = tok.kind
    if kind in (VAR, IRI, PNAME, STRING, NUMBER_, LANG, BNODE_):
        return True
    if kind == OP:
        return tok.text in _OPERAND_OPS
    return kind == WORD_ and tok.text in ("true", "false")
