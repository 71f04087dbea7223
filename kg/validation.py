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
from kg.namespaces import SH


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
        if self.conforms:
            return "SHACL: the graph conforms (0 violations)"
        lines = [f"SHACL: {len(self.results)} violation(s)"]
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


def validate(data: Graph, shapes: Graph, origin: dict | None = None) -> Report:
    """Validate `data` (ontology included, for subclass targets) against `shapes` with pySHACL on the whole graph.

    The reference: `kg build` validates with kg.shacl_targeted, which tests compare with this."""
    import pyshacl

    conforms, report_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    results = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(node, SH.focusNode)
        results.append(Result(
            focus=str(focus),
            path=_n3(report_graph.value(node, SH.resultPath)),
            message=str(report_graph.value(node, SH.resultMessage) or ""),
            severity=str(report_graph.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
            shape=_n3(report_graph.value(node, SH.sourceShape)),
            value=_n3(report_graph.value(node, SH.value)),
            origin=trace(focus, origin or {})))
    violations = [r for r in results if r.severity == "Violation"]
    results.sort(key=lambda r: (r.origin or "", r.focus, r.message))
    return Report(conforms=not violations, results=results, graph=report_graph)


def trace(node, origin: dict) -> str | None:
    """The annotation line behind a node: itself, or the statement its #fragment hangs off."""
    if node in origin:
        return origin[node]
    if isinstance(node, URIRef) and "#" in node:
        return origin.get(URIRef(node.split("#", 1)[0]))
    return None


def _n3(term) -> str | None:
    return None if term is None else (str(term) if isinstance(term, URIRef) else term.n3())
