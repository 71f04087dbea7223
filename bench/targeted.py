"""Targeted SHACL validation for large graphs: the same shapes, split where they can be split.

pySHACL on the whole graph spends most of its time in the four `sh:sparql` shapes (lifetimes
and spans), which it runs once per focus node on rdflib's engine, and it needs the whole graph
in rdflib memory (about 1.5 KB a triple). Here:

- every shape without `sh:sparql` runs in pySHACL over one batch of source graphs at a time,
  each batch completed with the registry and source-document triples of the IRIs it uses
  (so `sh:class` and the entity shapes see what they need), batches spread over the cores;
- each `sh:sparql` shape runs once, over the whole store, as one Oxigraph query with `$this`
  bound by the shape's target (targetSubjectsOf / targetClass) instead of once per node.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import sys

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.namespaces import SH

_BATCH: dict = {}


def split_shapes(shapes: Graph) -> tuple[Graph, list[dict]]:
    """The shapes graph without its sh:sparql shapes, and those shapes as whole-graph queries."""
    plain = Graph()
    for t in shapes:
        plain.add(t)
    queries = []
    prefixes = {}
    for decl in shapes.objects(None, SH.declare):
        prefixes[str(shapes.value(decl, SH.prefix))] = str(shapes.value(decl, SH.namespace))
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    for shape in set(shapes.subjects(SH.sparql, None)):
        targets = [("subjectsOf", o) for o in shapes.objects(shape, SH.targetSubjectsOf)]
        targets += [("class", o) for o in shapes.objects(shape, SH.targetClass)]
        for constraint in shapes.objects(shape, SH.sparql):
            select = str(shapes.value(constraint, SH.select)).replace("$this", "?this")
            unions = " UNION ".join(f"{{ ?this <{o}> [] }}" if kind == "subjectsOf" else f"{{ ?this a <{o}> }}"
                                    for kind, o in targets)
            body = re.sub(r"WHERE\s*\{", "WHERE { { " + unions + " } ", select, count=1)
            queries.append({"shape": str(shape), "message": str(shapes.value(constraint, SH.message)),
                            "query": header + body})
        for t in list(plain.triples((shape, None, None))):
            plain.remove(t)
    return plain, queries


def run_sparql_shapes(store: ox.Store, queries: list[dict]) -> list[dict]:
    """Violations of the sh:sparql shapes, one Oxigraph query each over the union graph."""
    out = []
    for q in queries:
        results = store.query(q["query"], use_default_graph_as_union=True)
        names = [v.value for v in results.variables]
        for row in results:
            # fill the message template's {?var} with the row's values, as SHACL-SPARQL does
            message = re.sub(r"\{[?$](\w+)\}",
                             lambda m: row[m.group(1)].value if m.group(1) in names and row[m.group(1)] is not None
                             else m.group(0), q["message"])
            out.append({"shape": q["shape"], "focus": row["this"].value, "message": message})
    return out


def _pack(groups, per_batch: int) -> list[list]:
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


def batches(quads, graph_prefix: str, per_batch: int) -> tuple[list[list], list]:
    """Group the quads of source graphs into batches of about `per_batch` triples; the rest is context."""
    by_graph: dict = {}
    for q in quads:
        by_graph.setdefault(q[3], []).append(q[:3])
    context, sources = [], []
    for g in sorted(by_graph):
        if str(g)[len(graph_prefix):] in ("registry", "links", "sources", "ontology"):
            context.extend(by_graph[g])
        else:
            sources.append(by_graph[g])
    return _pack(sources, per_batch), context


def _describe(context) -> dict:
    """Subject IRI → its triples, and `doc#part` nodes under their document, for completing a batch."""
    out: dict = {}
    for s, p, o in context:
        key = str(s).split("#", 1)[0]
        out.setdefault(key, []).append((s, p, o))
    return out


def _validate_batch(i: int) -> list[tuple[str, str]]:
    import pyshacl
    chunk, described, ontology, shapes = (_BATCH["chunks"][i], _BATCH["described"], _BATCH["ontology"],
                                          _BATCH["shapes"])
    g = Graph()
    for t in ontology:
        g.add(t)
    seen = set()
    for t in chunk:
        g.add(t)
        for term in (t[0], t[2]):
            if isinstance(term, URIRef):
                key = str(term).split("#", 1)[0]
                if key not in seen and key in described:
                    seen.add(key)
                    for ct in described[key]:
                        g.add(ct)
    conforms, report, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none", advanced=True,
                                           allow_warnings=True)
    if conforms:
        return []
    return [(str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultMessage)))
            for r in report.subjects(RDF.type, SH.ValidationResult)]


def validate_targeted(quads, store: ox.Store, ontology: Graph, shapes: Graph, graph_prefix: str,
                      per_batch: int = 20_000, processes: int | None = None, progress: bool = False) -> dict:
    """Targeted validation of all `quads` (already loaded in `store`); returns counts and violations."""
    plain, sparql = split_shapes(shapes)
    chunks, context = batches(quads, graph_prefix, per_batch)
    described = _describe(context)
    # the registry and source documents are validated on their own, in batches of whole subjects
    # (each completed like the others): pySHACL's cost grows faster than linearly with a graph
    chunks.extend(_pack((described[key] for key in sorted(described)), per_batch))
    _BATCH.update(chunks=chunks, described=described, ontology=list(ontology), shapes=plain)
    processes = processes or os.cpu_count() or 1
    results = []
    with mp.get_context("fork").Pool(processes) as pool:
        for done, part in enumerate(pool.imap_unordered(_validate_batch, range(len(chunks))), 1):
            results.extend(part)
            if progress and (done % 25 == 0 or done == len(chunks)):
                print(f"    SHACL batches {done}/{len(chunks)}", file=sys.stderr, flush=True)
    _BATCH.clear()
    results += [(v["focus"], v["message"]) for v in run_sparql_shapes(store, sparql)]
    return {"batches": len(chunks), "sparql_shapes": len(sparql), "violations": results}
