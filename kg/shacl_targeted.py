"""Targeted SHACL validation (https://www.w3.org/TR/shacl/): pySHACL's results, at the scale of millions of triples.

pySHACL on a whole graph runs each `sh:sparql` constraint once per focus node on rdflib's engine,
needs the whole graph in rdflib memory (about 1.5 KB a triple) and grows faster than linearly:
49 s at 10^5 triples, not finished after 24 minutes at 10^6. Here the same shapes are split:

- each `sh:sparql` constraint runs once, as one Oxigraph query over the whole store with `$this`
  bound by the shape's targets, so constraints that compare across graphs see everything;
- every other shape that kg.shacl_core covers (all of shapes/ today) runs there, once, over the
  whole graph held as dictionaries;
- a shape it does not cover runs in pySHACL over batches: whole source graphs packed up to
  `per_batch` triples, then the shared graphs (registry, links, sources, ontology) cut into
  batches of whole subjects. Each batch is completed with the ontology and with the shared-graph
  triples of every IRI it mentions (so `sh:class` finds types), and the batches run on all cores.

What makes the batches exact: the core constraints of shapes/ look only at a focus node's own
triples and the types of their objects, and a node's triples on any counted path (`sh:minCount`,
`sh:maxCount`, `sh:qualified…`, `sh:uniqueLang`) live in one named graph, the node's source or
a shared graph. A result found in several batches is reported once. tests/test_shacl_targeted.py
compares the results of both paths with pySHACL on the whole graph, the reference, on valid and
broken corpora.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import KgError
from kg.config import DEFAULT_BASE_IRI
from kg.namespaces import SH, kg_namespace
from kg.shacl_core import TARGETS, Data, compile_shapes, target_shapes, validate_core
from kg.validation import Report, Result, Tracer, _n3

SHARED_GRAPHS = ("registry", "links", "sources", "ontology")
# 20k triples: pySHACL's time per triple grows with the graph; 60k-triple batches took 121 s at
# 10^6 against 93 s with 20k, and much smaller ones pay the per-call set-up of the shapes.
PER_BATCH = 20_000

_WORK: dict = {}        # what forked batch workers inherit (graphs do not pickle cheaply)


def split_shapes(shapes: Graph) -> tuple[Graph, list[dict]]:
    """The shapes graph without its `sh:sparql` constraints, and those constraints as whole-store queries."""
    plain = Graph()
    for prefix, ns in shapes.namespaces():      # pySHACL's generic messages write IRIs with these prefixes
        plain.bind(prefix, ns, replace=True)
    for t in shapes:
        plain.add(t)
    prefixes = {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
                for d in shapes.objects(None, SH.declare)}
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    queries = []
    for shape in sorted(set(shapes.subjects(SH.sparql, None)), key=str):
        targets = _target_patterns(shapes, shape)
        path = shapes.value(shape, SH.path)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        shape_messages = list(shapes.objects(shape, SH.message))
        for constraint in shapes.objects(shape, SH.sparql):
            plain.remove((shape, SH.sparql, constraint))
            if shapes.value(constraint, SH.deactivated) == Literal(True):
                continue
            select = str(shapes.value(constraint, SH.select))
            if re.search(r"\$PATH\b", select):
                if not isinstance(path, URIRef):
                    raise KgError(f"shape {shape}: $PATH is supported for an IRI path only")
                select = re.sub(r"\$PATH\b", f"<{path}>", select)
            select = re.sub(r"\$(\w+)", r"?\1", select)
            if not targets:
                continue        # a shape without targets validates nothing
            body = re.sub(r"WHERE\s*\{", "WHERE { { " + " UNION ".join(targets) + " } ", select, count=1)
            queries.append({"shape": shape, "constraint": constraint, "path": path, "severity": severity,
                            "messages": shape_messages or list(shapes.objects(constraint, SH.message)),
                            "query": header + body})
    return plain, queries


def _target_patterns(shapes: Graph, shape) -> list[str]:
    """SPARQL patterns binding ?this to the shape's focus nodes, one per target declaration."""
    out = [f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* <{c}> }}" for c in shapes.objects(shape, SH.targetClass)]
    out += [f"{{ ?this <{p}> [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    out += [f"{{ [] <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    out += [f"{{ VALUES ?this {{ {n.n3()} }} }}" for n in shapes.objects(shape, SH.targetNode)]
    # SHACL-AF SPARQL-based targets (https://www.w3.org/TR/shacl-af/#SPARQLTarget): their SELECT as a subquery
    out += [f"{{ {shapes.value(t, SH.select)} }}" for t in shapes.objects(shape, SH.target)
            if (t, RDF.type, SH.SPARQLTarget) in shapes and shapes.value(t, SH.select) is not None]
    return out


def _rdf(term):
    """An Oxigraph term as the rdflib term pySHACL would report."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=None if term.datatype.value.endswith("#string") else term.datatype.value)


def run_sparql_shapes(store: ox.Store, queries: list[dict]) -> set[tuple]:
    """Results of the `sh:sparql` constraints, one Oxigraph query each over the store's default graph,
    which holds every triple of the named graphs once (a union view would repeat a triple stated by
    two sources, and a sum over it would count it twice)."""
    out = set()
    for q in queries:
        results = store.query(q["query"])
        names = [v.value for v in results.variables]
        for row in results:
            bound = {n: _rdf(row[n]) for n in names if row[n] is not None}
            if "failure" in bound:
                raise KgError(f"SPARQL constraint of {q['shape']} reported a failure")
            focus = bound.pop("this")
            path = bound.pop("path", q["path"])
            value = bound.pop("value", focus if q["path"] is None else None)
            fill = dict(bound, this=focus) | ({"path": path} if path is not None else {}) \
                | ({"value": value} if value is not None else {})
            message = Literal(_fill(str(q["messages"][0]), fill)) if q["messages"] else None
            out.add((focus, path, q["shape"], q["severity"], message, value,
                     SH.SPARQLConstraintComponent, q["constraint"]))
    return out


def _fill(message: str, bound: dict) -> str:
    """A message template's {?var} and {$var} filled with the row's values, as pySHACL does."""
    for var, val in bound.items():
        message = re.sub(r"\{[?$]" + re.escape(var) + r"\}", str(val).replace("\\", r"\\"), message)
    return message


def _pack(groups: Iterable[list], per_batch: int) -> list[list]:
    """Consecutive groups of triples packed into batches of about `per_batch`; no group is split."""
    chunks, current = [], []
    for triples in groups:
        current.extend(triples)
        if len(current) >= per_batch:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def _key(term) -> str:
    """The IRI a `doc#part` node hangs off: a batch that mentions one gets them all."""
    return str(term).split("#", 1)[0]


def plan_batches(quads, graph_iri: Callable[[str], object], per_batch: int) -> dict:
    """Source graphs packed into batches, the shared graphs cut into batches of whole subjects."""
    shared = {graph_iri(name) for name in SHARED_GRAPHS}
    by_graph: dict = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append((s, p, o))
    described: dict = {}
    sources = []
    for g in sorted(by_graph, key=str):
        if g in shared:
            for t in by_graph[g]:
                described.setdefault(_key(t[0]), []).append(t)
        else:
            sources.append(by_graph[g])
    # A shared subject (an entity of the registry) also has triples in the source graphs (a
    # soviet's kg:locatedIn, say); a shape on it must see them all wherever it is a focus node, as
    # it does in the whole graph, so they travel with its description ("everywhere"), and the
    # objects of those travel with their shared triples (their types, for sh:class).
    everywhere = {key: list(triples) for key, triples in described.items()}
    for triples in sources:
        for t in triples:
            key = _key(t[0])
            if key in everywhere:
                everywhere[key].append(t)
    source_batches = _pack(sources, per_batch)
    shared_batches = _pack((everywhere[k] for k in sorted(everywhere)), per_batch)
    return {"batches": source_batches + shared_batches, "source_batches": len(source_batches),
            "shared_batches": len(shared_batches), "described": described, "everywhere": everywhere}


def _validate_batch(i: int) -> list[tuple]:
    """pySHACL over one batch, completed with the ontology and the shared triples of the IRIs it mentions."""
    import pyshacl
    chunk, described, everywhere = _WORK["batches"][i], _WORK["described"], _WORK["everywhere"]
    g = Graph()
    for t in _WORK["ontology"]:
        g.add(t)
    seen: set = set()
    typed: set = set()

    def add_shared(term) -> None:
        if isinstance(term, URIRef) and (key := _key(term)) not in typed:
            typed.add(key)
            for ct in described.get(key, ()):
                g.add(ct)

    for t in chunk:
        g.add(t)
        for term in (t[0], t[2]):
            if isinstance(term, URIRef):
                key = _key(term)
                if key not in seen:
                    seen.add(key)
                    for ct in everywhere.get(key, ()):
                        g.add(ct)
                        add_shared(ct[2])
    _, report, _ = pyshacl.validate(g, shacl_graph=_WORK["shapes"], inference="none", advanced=True,
                                    allow_warnings=True)
    # a node brought in only for its types (the object of a completing triple) is not described
    # whole here: it is judged in a batch that holds it whole (every registry subject has one)
    return [tuple(report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.sourceShape, SH.resultSeverity,
                                               SH.resultMessage, SH.value, SH.sourceConstraintComponent,
                                               SH.sourceConstraint))
            for r in report.subjects(RDF.type, SH.ValidationResult)
            if not isinstance(focus := report.value(r, SH.focusNode), URIRef) or _key(focus) in seen]


def validate_targeted(quads, store: ox.Store | Callable[[], ox.Store], ontology: Graph, shapes: Graph, graph_iri: Callable[[str], object],
                      origin: dict | None = None, triple_origin: dict | None = None,
                      base_iri: str = DEFAULT_BASE_IRI, per_batch: int = PER_BATCH, processes: int | None = None,
                      progress: bool = False, core: bool = True) -> Report:
    """Validate all `quads` (already in `store`) against `shapes`; the Report and report graph pySHACL would give.

    `store` may be a function giving the store once loaded: only the SPARQL constraints need it, last.
    `core=False` sends every shape to the pySHACL batches (what the tests compare kg.shacl_core with)."""
    checked = check_quads(quads, ontology, shapes, graph_iri, per_batch, processes, progress, core)
    return check_store(checked, store, shapes, origin, triple_origin, base_iri)


@dataclass
class Checked:
    """What validation found in the quads, waiting for the SPARQL constraints, which need the store."""

    found: set
    sparql: list[dict]
    stats: dict


def check_quads(quads, ontology: Graph, shapes: Graph, graph_iri: Callable[[str], object],
                per_batch: int = PER_BATCH, processes: int | None = None, progress: bool = False,
                core: bool = True, release: bool = False) -> Checked:
    """Every shape but the `sh:sparql` constraints, over the quads. With `release`, the list of
    quads is emptied as soon as nothing here needs it (once indexed, unless pySHACL batches read
    it): `kg build` lets go of the rdflib terms, and of the index made here, before the dumps."""
    t = time.perf_counter()
    plain, sparql = split_shapes(shapes)
    covered, left = compile_shapes(plain) if core else ([], target_shapes(plain))
    data = Data((s, p, o) for s, p, o, _ in quads)
    if release and not left:
        quads.clear()
    found = validate_core(plain, data, covered)
    del data
    stats = {"core_shapes": len(covered), "pyshacl_shapes": len(left), "source_batches": 0, "shared_batches": 0,
             "sparql_constraints": len(sparql), "processes": 1, "core_s": round(time.perf_counter() - t, 3)}
    if left:
        for node in covered:          # pySHACL finds no focus nodes for what was validated above
            for target in TARGETS:
                plain.remove((node, target, None))
        t = time.perf_counter()
        found |= _run_batches(quads, ontology, plain, graph_iri, per_batch, processes, progress, stats)
        stats["pyshacl_s"] = round(time.perf_counter() - t, 3)
        if release:
            quads.clear()
    return Checked(found, sparql, stats)


def check_store(checked: Checked, store: ox.Store | Callable[[], ox.Store], shapes: Graph,
                origin: dict | None = None, triple_origin: dict | None = None,
                base_iri: str = DEFAULT_BASE_IRI) -> Report:
    """The `sh:sparql` constraints over the store, then the report of everything found."""
    stats = checked.stats
    t = time.perf_counter()
    store = store() if callable(store) else store
    stats["store_wait_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    found = checked.found | run_sparql_shapes(store, checked.sparql)
    stats["sparql_s"] = round(time.perf_counter() - t, 3)
    report = _report(found, shapes, Tracer(origin or {}, triple_origin or {}), base_iri)
    report.stats = stats
    return report


def _run_batches(quads, ontology: Graph, plain: Graph, graph_iri, per_batch: int, processes: int | None,
                 progress: bool, stats: dict) -> set:
    """pySHACL over batches of the data, on all cores, for the shapes kg.shacl_core does not cover."""
    plan = plan_batches(quads, graph_iri, per_batch)
    batches = plan["batches"]
    _WORK.update(batches=batches, described=plan["described"], everywhere=plan["everywhere"],
                 ontology=list(ontology), shapes=plain)
    found: set = set()
    try:
        processes = min(processes or os.cpu_count() or 1, len(batches))
        if processes <= 1:
            parts = map(_validate_batch, range(len(batches)))
            pool = None
        else:
            pool = mp.get_context("fork").Pool(processes)
            parts = pool.imap_unordered(_validate_batch, range(len(batches)))
        for done, part in enumerate(parts, 1):
            found.update(part)
            if progress and (done % 25 == 0 or done == len(batches)):
                print(f"    SHACL batches {done}/{len(batches)}", file=sys.stderr, flush=True)
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        _WORK.clear()
    stats.update(source_batches=plan["source_batches"], shared_batches=plan["shared_batches"], processes=processes)
    return found


def _report(found: set, shapes: Graph, tracer: Tracer, base_iri: str) -> Report:
    """The Report and its sh:ValidationReport graph, as pySHACL writes them, each result traced to
    the annotation line(s) behind it as kg.validation does."""
    annotation_origin = kg_namespace(base_iri).annotationOrigin
    g = Graph()
    g.bind("sh", SH)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    results = []
    for focus, path, shape, severity, message, value, component, constraint in sorted(found, key=str):
        r = BNode()
        g.add((root, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        for p, o in ((SH.focusNode, focus), (SH.resultPath, path), (SH.sourceShape, shape),
                     (SH.resultSeverity, severity), (SH.resultMessage, message), (SH.value, value),
                     (SH.sourceConstraintComponent, component), (SH.sourceConstraint, constraint)):
            if o is not None:
                g.add((r, p, o))
                if isinstance(o, BNode) and p != SH.value:
                    _copy_bnode(shapes, o, g)
        where = tracer.trace(focus, path, value)
        if where:
            g.add((r, annotation_origin, Literal(where)))
        results.append(Result(focus=str(focus), path=_n3(path), message=str(message or ""),
                              severity=str(severity).rsplit("#", 1)[-1], shape=_n3(shape), value=_n3(value),
                              origin=where))
    conforms = not any(r.severity == "Violation" for r in results)
    g.add((root, SH.conforms, Literal(conforms)))
    results.sort(key=lambda r: (r.origin or "", r.focus, r.message))
    return Report(conforms=conforms, results=results, graph=g)


def _copy_bnode(source: Graph, node: BNode, dest: Graph) -> None:
    """A blank node's description (a shape or a path list) copied with its ids, as pySHACL keeps them."""
    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for p, o in source.predicate_objects(n):
            dest.add((n, p, o))
            if isinstance(o, BNode):
                todo.append(o)
