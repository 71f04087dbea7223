"""SHACL validation of the built graph (https://www.w3.org/TR/shacl/), traced back to annotation lines.

`validate()` returns a Report and never raises on non-conformance; it raises only when
validation cannot run (shapes that do not load). The graph is validated as built, from
rdflib terms, so that Oxigraph's explicit `xsd:string` typing cannot cause false results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.errors import KgError
from kg.config import DEFAULT_BASE_IRI
from kg.namespaces import SH, kg_namespace


@dataclass
class Result:
    focus: str
    path: str | None
    message: str
    severity: str
    shape: str
    value: str | None
    origin: str | None      # "file:line" of the annotation that produced the focus node


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph | None = None
    stats: dict = field(default_factory=dict)     # how the validation ran (batches, processes)

    def text(self) -> str:
        violations = sum(r.severity == "Violation" for r in self.results)
        others = len(self.results) - violations
        if self.conforms and not others:
            return "SHACL: the graph conforms (0 violations)"
        head = "the graph conforms (0 violations)" if self.conforms else f"{violations} violation(s)"
        lines = [f"SHACL: {head}" + (f", {others} warning(s)" if others else "")]
        for r in self.results:
            where = f"{r.origin}: " if r.origin else ""
            lines.append(f"{where}{r.severity} {r.message}\n  focus node: {r.focus}\n  path: {r.path}"
                         + (f"\n  value: {r.value}" if r.value else "") + f"\n  shape: {r.shape}")
        return "\n".join(lines)


def load_shapes(shapes_dir, rebase) -> Graph:
    g = Graph()
    for path in sorted(Path(shapes_dir).glob("*.ttl")):
        try:
            g.parse(data=rebase(path.read_text(encoding="utf-8")), format="turtle", publicID=path.as_uri())
        except Exception as exc:   # a broken shapes file means validation cannot run at all
            raise KgError(f"{path}: shapes do not parse: {exc}") from exc
    return g


def normalise(graph: Graph) -> Graph:
    """Drop explicit xsd:string datatypes (as Oxigraph returns them), which rdflib treats as unequal."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def validate(data: Graph, shapes: Graph, origin: dict | None = None,
             triple_origin: dict | None = None, base_iri: str = DEFAULT_BASE_IRI) -> Report:
    """Validate `data` (ontology included, for subclass targets) against `shapes` with pySHACL on the
    whole graph: the reference that kg.shacl_targeted (what `kg build` runs) is tested against.

    Each result names the annotation line behind it (see `trace`), in the report text and, as
    kg:annotationOrigin, in the report graph that is saved."""
    import pyshacl

    conforms, report_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    tracer = Tracer(origin or {}, triple_origin or {})
    annotation_origin = kg_namespace(base_iri).annotationOrigin   # the line(s) behind each result
    results = []
    for node in list(report_graph.subjects(RDF.type, SH.ValidationResult)):
        focus = report_graph.value(node, SH.focusNode)
        path, value = report_graph.value(node, SH.resultPath), report_graph.value(node, SH.value)
        where = tracer.trace(focus, path, value)
        if where:
            report_graph.add((node, annotation_origin, Literal(where)))
        results.append(Result(
            focus=str(focus),
            path=_n3(path),
            message=str(report_graph.value(node, SH.resultMessage) or ""),
            severity=str(report_graph.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
            shape=_n3(report_graph.value(node, SH.sourceShape)),
            value=_n3(value),
            origin=where))
    violations = [r for r in results if r.severity == "Violation"]
    results.sort(key=lambda r: (r.origin or "", r.focus, r.message))
    return Report(conforms=not violations, results=results, graph=report_graph)


class Tracer:
    """Finds the annotation lines behind a result: the triple's own, else its node's."""

    def __init__(self, origin: dict, triple_origin: dict):
        self.origin, self.triple_origin = origin, triple_origin
        self.by_subject_predicate: dict | None = None

    def trace(self, focus, path=None, value=None) -> str | None:
        """The offending triple's line (focus, path, value); else every line stating (focus, path, …);
        else the line of the focus node, or of the statement its #fragment hangs off."""
        if path is not None and value is not None and (focus, path, value) in self.triple_origin:
            return "; ".join(dict.fromkeys(self.triple_origin[(focus, path, value)]))
        if path is not None:
            lines = self._index().get((focus, path))
            if lines:
                return "; ".join(dict.fromkeys(lines))
        return trace(focus, self.origin)

    def _index(self) -> dict:
        if self.by_subject_predicate is None:
            self.by_subject_predicate = {}
            for (s, p, _), lines in self.triple_origin.items():
                self.by_subject_predicate.setdefault((s, p), []).extend(lines)
        return self.by_subject_predicate


def trace(node, origin: dict) -> str | None:
    """The annotation line behind a node: itself, or the statement its #fragment hangs off."""
    if node in origin:
        return origin[node]
    if isinstance(node, URIRef) and "#" in node:
        return origin.get(URIRef(node.split("#", 1)[0]))
    return None


def _n3(term) -> str | None:
    return None if term is None else (str(term) if isinstance(term, URIRef) else term.n3())
