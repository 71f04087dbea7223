"""Fuzzing the query gate: over 10,000 queries per run, mutated from queries/ and built from the
hostile shapes of issue 11, go through kg.query_analysis and kg.sparql.execute on a small store.

Every SERVICE a query may name points at a loopback listener (127.0.0.1 and 127.0.0.2 are
forbidden, 127.0.0.3 is the decoy on the allow-list). Asserted for every query: no connection
reaches a forbidden host, the engine calls no SERVICE the analysis did not find, and the outcome
is a result or one of the documented errors. The examples are derandomized (the same queries
every run) and their count is printed and checked.
"""

import time
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from kg.config import PROJECT_ROOT
from kg.errors import QuerySyntaxError, ReadOnly
from kg.formats import by_name
from kg.store import memory_store
from kg.query_analysis import QueryTooDeep, QueryTooLarge, ServiceNotAllowed, analyse
from kg.sparql import ResultTooLarge, ServiceFailed, execute, result_kind
from tests.loopback import DECOY, LoopbackListener, listener  # noqa: F401 - listener is a fixture

DOCUMENTED = (QuerySyntaxError, QueryTooDeep, QueryTooLarge, ServiceNotAllowed, ReadOnly, ServiceFailed,
              ResultTooLarge)
NAMED = [p.read_text(encoding="utf-8") for p in sorted((PROJECT_ROOT / "queries").glob("**/*.rq"))]
PER_TEST = 5_100          # two tests: over 10,000 queries per run
FUZZ = settings(max_examples=PER_TEST, derandomize=True, deadline=None, database=None,
                phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))

# {evil} and {evil2} are forbidden loopback endpoints, {decoy} the allow-listed one
SNIPPETS = [
    "SERVICE <{evil}> {{ ?s ?p ?o }}", "SERVICE<{evil}>{{}}", "SERVICESILENT<{evil}>{{}}",
    "service silent <{evil2}> {{ }}", "SERVICE #c\n<{evil}> {{}}", "SERVICE\t<{evil2}>\n{{}}",
    "SERVICE <{decoy}> {{ ?s ?p ?o }}", "SERVICE SILENT <{decoy}> {{}}", "SERVICE ?x {{}}",
    "SERVICE <sparql> {{}}", "SERVICE <//127.0.0.1/> {{}}", "SERVICE s:x {{}}", "SERVICE s: {{}}",
    "SERVICEs:x{{}}", "trueSERVICE:x{{}}", "?o trueSERVICE<{evil}>{{}}", "SERVICE:x{{}}",
    "BIND(<http://example.org/#x> AS ?y)", "BIND(<http://example.org/'x> AS ?y)", "<http://e/#>",
    "<http://e/'>", "<http://e/SERVICE>", "'SERVICE <{evil}> {{}}'", '"SERVICE <{evil}> {{}}"',
    "'''\nSERVICE <{evil}> {{}}\n'''", '"""SERVICE <{evil}> {{}}"""', "# SERVICE <{evil}> {{}}\n",
    "\\u0053ERVICE <{evil}> {{}}", '"\\u0022 SERVICE <{evil}> {{}} \\u0022"', "<http://e/\\u003E>",
    "FILTER(?a<?b)SERVICE:x#>\n{{}}", "FILTER(EXISTS{{}}<?s)SERVICE:x#>\n{{}}",
    "FILTER(NOT EXISTS{{ ?s ?p ?o }}<?o)SERVICE<{evil}>#>\n{{}}",
    "FILTER(?s<?o)#>'''\nSERVICE <{evil}> {{}}\n#'''", "?s<?o",
    "PREFIX s: <{evil}>\n", "PREFIX s: <{decoy}>\n", "PREFIX : <{evil}>\n", "BASE <{evil}>\n",
    "PREFIX SERVICE: <http://e/>\n", "PREFIX add: <http://e/> ", "PREFIX with: <http://e/> ",
    "PREFIX ex: <http://a:1>\n", "ex:SERVICE<{evil}>{{}}",
    "VALUES ?x {{ '''x' }} SERVICE <{evil}> {{}} #\\uD800'''",
    "SERVICE SILENTs:x {{}}", "SERVICE silents: {{}}", "PREFIX SILENTs: <{decoy}>\n", "FILTERs:f(?s<?o)",
    '"\\uDFFF"', "'''\\U00110000'''", "<http://e/\\uD800>", "PREFIX ex: <rel>\n", "ex:x", "ex:SERVICE",
    "FILTER EXISTS {{", "FILTER NOT EXISTS {{", "OPTIONAL {{", "UNION", "MINUS {{", "{{", "}}", "(", ")",
    "[", "]", "!", "-", "+", "||", "&&", "<", ">", "<=", "<<(", ")>>", "'", '"', "'''", '"""', "#", "\n",
    "\\", ":", "?", "$", "@en", "^^", ".", ";", ",", "*", "a", "true", "VALUES ?x {{ 1 }}", "SELECT",
    "WHERE", "INSERT DATA {{ <a:b> <a:c> <a:d> }}", "LOAD <{evil}>", "GRAPH ?g {{", "\u00e9", "\u0000",
    " " * 2_000, "\t\r\n", "(" * 200, "{{" * 200, "!" * 300, "FILTER EXISTS {{" * 150,
]


# the endpoints are known only when the listener runs: one control character stands for each
EVIL, EVIL2, DECOY_URL, DECOY_BASE = "\x01", "\x02", "\x03", "\x04"
SNIPPETS = [t.format(evil=EVIL, evil2=EVIL2, decoy=DECOY_URL) for t in SNIPPETS]


def fill(text: str, listener: LoopbackListener) -> str:
    return text.replace(EVIL, listener.url()).replace(EVIL2, listener.url("127.0.0.2")) \
        .replace(DECOY_URL, listener.url(DECOY)).replace(DECOY_BASE, listener.url(DECOY, "/"))


@st.composite
def mutated(draw):
    """A named query with one to five edits: snippets inserted, spans cut, doubled or re-cased."""
    text = draw(st.sampled_from(NAMED))
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(("insert", "insert", "insert", "cut", "double", "case", "squeeze")))
        if edit == "insert":
            text = text[:at] + " " * draw(st.integers(0, 1)) + draw(st.sampled_from(SNIPPETS)) + text[at:]
        elif edit == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif edit == "double":
            end = at + draw(st.integers(1, 60))
            text = text[:end] + text[at:end] + text[end:]
        elif edit == "case":
            text = text[:at] + text[at:at + 40].swapcase() + text[at + 40:]
        else:      # whitespace squeezed out or turned into comments
            text = text[:at] + draw(st.sampled_from(("", "#\n", "\n#x\n"))).join(text[at:].split(" ")) \
                if draw(st.booleans()) else text[:at] + text[at:].replace(" ", "", 20)
    return text


NESTINGS = [("{ ", " }"), ("{ SELECT * WHERE { ", " } }"), ("FILTER EXISTS { ", " }"),
            ("FILTER NOT EXISTS { ", " }"), ("OPTIONAL { ", " }"), ("{ ", " } UNION {}"),
            ("MINUS { ", " }"), ("GRAPH ?g { ", " }")]
EXPRS = [("(", ")"), ("!", ""), ("-", ""), ("!(", ")"), ("STR(", ")"), ("1+", ""), ("?s<", ""), ("COALESCE(", ")"),
         ("REGEX(", ", 'a')"), ("SUBSTR(", ", 1)"), ("!EXISTS { FILTER(", ") }"), ("?s<?s<", "")]
CORES = ["?s ?p ?o", f"SERVICE <{EVIL}> {{ ?s ?p ?o }}", f"SERVICE<{EVIL2}>{{}}", f"SERVICE <{DECOY_URL}> {{}}",
         "?s ?p ( ( ( 1 ) ) )", "?s ?p [ <http://e/p> [ <http://e/p> 1 ] ]", "BIND(<http://e/#x> AS ?y)"]


@st.composite
def hostile(draw):
    """A query built from the issue's shapes: nesting of every form, around and past the limit."""
    kind = draw(st.sampled_from(("patterns", "expression", "whitespace", "prefixes", "base", "chain", "dropped",
                                 "operator")))
    if kind == "patterns":
        core = draw(st.sampled_from(CORES))
        layers = draw(st.lists(st.tuples(st.sampled_from(NESTINGS), st.integers(1, 80)), min_size=1, max_size=3))
        for (open_, close), n in layers:
            core = open_ * n + core + close * n
        return "SELECT * WHERE { " + core + " }"
    if kind == "expression":
        expr = draw(st.sampled_from(("?o", "1", "<http://e/#x>", "'#'", "true")))
        layers = draw(st.lists(st.tuples(st.sampled_from(EXPRS), st.integers(1, 90)), min_size=1, max_size=3))
        for (open_, close), n in layers:
            expr = open_ * n + expr + close * n
        where = draw(st.sampled_from((f"FILTER({expr})", f"BIND(({expr}) AS ?z)",
                                      f"FILTER({expr}) SERVICE <{EVIL}> {{}}")))
        return "SELECT * WHERE { ?s ?p ?o " + where + " }"
    if kind == "whitespace":
        gap = draw(st.sampled_from((" ", "\n", "\t", "#c\n", "\r\n"))) * draw(st.integers(1, 5_000))
        return draw(st.sampled_from((f"{gap}{{", f"SELECT{gap}*{gap}{{{gap}?s ?p ?o{gap}}}",
                                     f"{gap}SELECT * {{ SERVICE{gap}<{EVIL}>{gap}{{}} }}")))
    if kind == "prefixes":
        decls = draw(st.lists(st.tuples(st.sampled_from(("s", "", "w", "SERVICE", "add", "SILENTs", "silent")),
                                        st.sampled_from((EVIL, DECOY_URL, DECOY_BASE, "https://query.wikidata.org/",
                                                         "http://e/#", EVIL2))), min_size=1, max_size=6))
        sep = draw(st.sampled_from((" ", "\n", "#x\n", "")))
        head = sep.join(f"PREFIX {p}: <{iri}>" for p, iri in decls)
        target = draw(st.sampled_from(("s:", "s:sparql", ":", "w:", "SERVICE:x", "add:x", "SILENTs:", "SILENTs:sparql",
                                       "silent:", "SILENT :", "SILENT s:sparql")))
        return head + sep + "SELECT * { SERVICE " + target + " { ?s ?p ?o } }"
    if kind == "dropped":      # readings the engine drops: a bad expansion, an escape naming no character
        namespace = draw(st.sampled_from(("http://a:1", "http://[::1]", "http://e/", "rel", "http://a:")))
        local = draw(st.sampled_from(("SERVICE", "SERVICESILENT", "xSERVICE", "service", "x")))
        gap = draw(st.sampled_from(("", " ", "#\n")))
        escape = draw(st.sampled_from(("\\uD800", "\\uDFFF", "\\U00110000", "\\u0041", "\\U0001F600")))
        quote = draw(st.sampled_from(("'''", '"""')))
        return draw(st.sampled_from((
            f"PREFIX ex: <{namespace}> SELECT * {{ ?s ?p ex:{local}{gap}<{EVIL}>{gap}{{}} }}",
            f"PREFIX ex: <{namespace}> SELECT * {{ ?s ?p ?o . ex:{local}{gap}<{EVIL}>{gap}{{}} }}",
            f"SELECT * {{ VALUES ?x {{ {quote}x{quote[0]} }} SERVICE <{EVIL}> {{}} #{escape}{quote} }}\n}}",
        )))
    if kind == "operator":     # an IRI-looking '<…>' after an operand: the engine reads a comparison
        opener = draw(st.sampled_from(("FILTER(", "FILTER ex:f(", "FILTERex:f(", "BIND(", "FILTER(STR(",
                                       "FILTER(?a && ", "FILTER(!")))
        operand = draw(st.sampled_from(("EXISTS{}", "NOT EXISTS{?s ?p ?o}", "?a", "1", '"x"', "<http://e/x>", "ex:x",
                                        "ex:f(?a)", "STR(?a)", "true", "(?a)", '"x"@en', "1e0")))
        # what follows '#' on that line is a comment to the engine only: it can close the bracket
        hidden = draw(st.sampled_from(("<?a)SERVICE:x#>)\n{}", "<?a))SERVICE:x#>))\n{}", "<?a)SERVICE ?v#>)\n{}",
                                       "<?a)SERVICE:#>)\n{}", "<?a) . SERVICE:x#>)\n{}", "<?a)SERVICE:x#>\n{}",
                                       "<?a)#>'''\nSERVICE:x{}\n#'''")))
        closing = draw(st.sampled_from(("", ")", "))")))
        return (f"PREFIX : <{EVIL}> PREFIX SERVICE: <http://e/> PREFIX ex: <http://e/> PREFIX FILTERex: <http://e/> "
                f"SELECT * {{ ?a ?b ?c {opener}{operand}{hidden}{closing} }}")
    if kind == "base":
        base = draw(st.sampled_from((EVIL, DECOY_URL, "http://e/", EVIL2 + "x/")))
        target = draw(st.sampled_from(("<>", "<sparql>", "<../x>", "<//127.0.0.1/>", f"<{DECOY_URL}>")))
        return f"BASE <{base}> SELECT * {{ SERVICE {target} {{}} }}"
    link = draw(st.sampled_from((" UNION ", " . ", " ", "||", "+", "/", "&&")))
    # joined groups stay few: the engine's join ordering costs seconds past a hundred of them
    n = draw(st.integers(2, 300 if link not in (" . ", " ") else 20))
    if link in ("||", "+", "&&"):
        return "SELECT * { ?s ?p ?o FILTER(" + link.join(["?o"] * n) + ") }"
    if link == "/":
        return "SELECT * { ?s " + "/".join(["<http://e/p>"] * n) + " ?o }"
    return "SELECT * { " + link.join(["{ ?s ?p ?o }"] * n) + " }"


@pytest.fixture(scope="module")
def store():
    return memory_store([(URIRef(f"http://e/s{i}"), URIRef("http://e/p"), Literal(f"o{i}"), URIRef("http://e/g"))
                         for i in range(3)])      # as kg build writes it


def outcome(store, listener, query: str) -> str:
    """Analyse and run one query; the name of what came of it. Anything undocumented fails."""
    services = ()
    try:
        found = analyse(query)
        form, services = found.form, found.services
    except DOCUMENTED as exc:
        form = None
        gate = type(exc)
    decoy_calls = listener.counts[DECOY]
    asked = len(listener.decoy_targets)
    fmt = by_name(result_kind(form), "json" if result_kind(form) == "results" else "ntriples") if form \
        else by_name("results", "json")
    try:
        execute(store, query, fmt, services=(listener.url(DECOY),), max_bytes=1_000_000)
        assert form is not None, "the engine ran a query the analysis refused"
        return "result"
    except DOCUMENTED as exc:
        if form is None:
            assert type(exc) is gate, "execute refuses for the analysis' reason"
        return type(exc).__name__
    finally:
        if not services:
            assert listener.counts[DECOY] == decoy_calls, "the engine called a SERVICE the analysis did not see"
        found = {urlsplit(s.iri).path for s in services}
        called = listener.decoy_targets[asked:]
        assert all(path in found for path in called), f"the engine called {called}, the analysis found {found}"


def fuzz(store, listener, strategy, label: str) -> None:
    seen: dict[str, int] = {}

    @FUZZ
    @given(strategy)
    def one(template):
        query = fill(template, listener)
        before = listener.escapes
        kind = outcome(store, listener, query)
        seen[kind] = seen.get(kind, 0) + 1
        # the engine returns only once the listener has hung up, so an escape is counted by now
        assert listener.escapes == before, f"a query reached a loopback host: {query!r}"

    start = time.perf_counter()
    one()
    time.sleep(0.2)          # let the listener's thread count a late connection
    total = sum(seen.values())
    print(f"\n{label}: {total} queries in {time.perf_counter() - start:.1f} s; outcomes {seen}; "
          f"escapes {listener.escapes}")
    assert listener.escapes == 0
    assert total >= PER_TEST
    assert seen.get("result", 0) > PER_TEST // 20, "the fuzzing also reaches the engine, not only the gate"


def test_mutated_named_queries_never_reach_a_loopback_host(store, listener):
    fuzz(store, listener, mutated(), "mutated named queries")


def test_hostile_shapes_never_reach_a_loopback_host(store, listener):
    fuzz(store, listener, hostile(), "hostile shapes")
