"""The ontology as a page for people, generated from the build's own ontology.ttl and shapes.ttl
(the dumps): every class and property with its label, comment, hierarchy, domain and range, and
the SHACL shapes (https://www.w3.org/TR/shacl/) that apply to it, by sh:targetClass (also through
a superclass, as SHACL's class targets do) or by property path."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.iris import Iris
from kg.namespaces import SH

KINDS = [("class", OWL.Class, "Classes"), ("object", OWL.ObjectProperty, "Object properties"),
         ("datatype", OWL.DatatypeProperty, "Datatype properties"),
         ("annotation", OWL.AnnotationProperty, "Annotation properties")]
# Said by the shape itself, shown apart from its constraints.
SHAPE_TEXT = {SH.path, SH.message, SH.name, SH.description, SH.severity, SH.order, SH.group}


@dataclass
class PropertyRule:
    path: str                       # the path as Turtle (`kg:founded`, `( kg:a kg:b )`, `^kg:p`)
    path_iris: list[str]
    constraints: list[str]
    message: str


@dataclass
class Shape:
    iri: str
    name: str                       # the page anchor (after `shape-`)
    short: str                      # `kgsh:Person-name`
    targets: list[tuple[str, str]]  # (kind of target, short name)
    constraints: list[str]          # node-level constraints
    message: str
    rules: list[PropertyRule]


@dataclass
class Term:
    iri: str
    name: str                       # local name: the page anchor
    kind: str
    label: str
    comment: str
    types: list[str] = field(default_factory=list)
    supers: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    matches: list[tuple[str, str]] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)     # of a class: properties with it as domain
    used_as_range: list[str] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)       # of a class: by sh:targetClass
    inherited: list[tuple[str, Shape]] = field(default_factory=list)
    rules: list[tuple[Shape, PropertyRule]] = field(default_factory=list)   # of a property: by path
    subject_shapes: list[Shape] = field(default_factory=list)               # sh:targetSubjectsOf it


@dataclass
class OntologyDoc:
    title: str
    description: str
    version: str
    terms: dict[str, Term]
    groups: list[tuple[str, str, list[Term]]]    # (kind, heading, terms)
    tree: list[tuple[int, Term]]                 # the classes as an indented list
    individuals: list[dict]
    shapes: list[Shape]


class Namer:
    """Short names for IRIs: `kg:Soviet` for ours, the usual prefixes for the rest."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def __call__(self, iri) -> str:
        iri = str(iri)
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"


def describe(g: Graph, node, short) -> str:
    """A value of a shape as Turtle-like text: lists in parentheses, blank nodes in brackets."""
    if isinstance(node, URIRef):
        return short(node)
    if isinstance(node, Literal):
        return f'"{node}"' if isinstance(node.value, str) or node.value is None else str(node)
    if (node, RDF.first, None) in g:
        return "( " + " ".join(describe(g, x, short) for x in Collection(g, node)) + " )"
    inner = " ; ".join(f"{short(p).split(':', 1)[-1] if str(p).startswith(str(SH)) else short(p)} "
                       f"{describe(g, o, short)}" for p, o in sorted(g.predicate_objects(node)))
    return f"[ {inner} ]"


def path_text(g: Graph, path, short) -> tuple[str, list[str]]:
    """A SHACL property path as text, and the IRIs of the properties it goes through."""
    if isinstance(path, URIRef):
        return short(path), [str(path)]
    if (path, RDF.first, None) in g:
        parts = [path_text(g, p, short) for p in Collection(g, path)]
        return "( " + " ".join(t for t, _ in parts) + " )", [i for _, iris in parts for i in iris]
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        text, iris = path_text(g, inverse, short)
        return "^" + text, iris
    alternative = g.value(path, SH.alternativePath)
    if alternative is not None:
        parts = [path_text(g, p, short) for p in Collection(g, alternative)]
        return "( " + " | ".join(t for t, _ in parts) + " )", [i for _, iris in parts for i in iris]
    for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(path, key)
        if inner is not None:
            text, iris = path_text(g, inner, short)
            return text + mark, iris
    return describe(g, path, short), []


def constraints(g: Graph, node, short) -> list[str]:
    return [f"{short(p).split(':', 1)[1]} {describe(g, o, short)}" for p, o in sorted(g.predicate_objects(node))
            if str(p).startswith(str(SH)) and p not in SHAPE_TEXT and p != SH.property
            and not str(p).startswith(str(SH) + "target") and p != RDF.type]


def read_shapes(g: Graph, short) -> list[Shape]:
    out = []
    # node shapes, and property shapes that carry their own target (kgsh:Soviet-place)
    targeted = {s for s in g.subjects(RDF.type, SH.PropertyShape)
                if any(str(p).startswith(str(SH) + "target") for p in g.predicates(s))}
    for s in sorted(set(g.subjects(RDF.type, SH.NodeShape)) | targeted, key=str):
        targets = [(short(p).split(":", 1)[1], short(o)) for p, o in sorted(g.predicate_objects(s))
                   if str(p).startswith(str(SH) + "target")]
        rules = []
        for ps in [s] if s in targeted else g.objects(s, SH.property):
            text, iris = path_text(g, g.value(ps, SH.path), short)
            rules.append(PropertyRule(text, iris, constraints(g, ps, short), str(g.value(ps, SH.message) or "")))
        rules.sort(key=lambda r: r.path)
        name = short(s)
        anchor = name.split(":", 1)[1] if not name.startswith("<") else str(s).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        out.append(Shape(str(s), anchor, name, targets,
                         [] if s in targeted else constraints(g, s, short), str(g.value(s, SH.message) or ""), rules))
    return out


def english(g: Graph, node, prop) -> str:
    values = list(g.objects(node, prop))
    for v in values:
        if isinstance(v, Literal) and v.language == "en":
            return str(v)
    return str(values[0]) if values else ""


def build_doc(ontology: Graph, shapes_graph: Graph, base_iri: str, prefixes: dict[str, str]) -> OntologyDoc:
    iris = Iris(base_iri)
    ns = iris.ontology_ns
    short = Namer(prefixes | {"kgsh": iris.shapes_ns})
    terms: dict[str, Term] = {}
    for kind, cls, _ in KINDS:
        for s in ontology.subjects(RDF.type, cls):
            if isinstance(s, URIRef) and str(s).startswith(ns) and str(s) not in terms:
                terms[str(s)] = Term(str(s), str(s)[len(ns):], kind, english(ontology, s, RDFS.label),
                                     english(ontology, s, RDFS.comment))
    for t in terms.values():
        node = URIRef(t.iri)
        t.types = sorted(short(o) for o in ontology.objects(node, RDF.type)
                         if o not in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))
        sup = RDFS.subClassOf if t.kind == "class" else RDFS.subPropertyOf
        t.supers = sorted(str(o) for o in ontology.objects(node, sup) if isinstance(o, URIRef))
        t.domain = sorted(str(o) for o in ontology.objects(node, RDFS.domain) if isinstance(o, URIRef))
        t.range = sorted(str(o) for o in ontology.objects(node, RDFS.range) if isinstance(o, URIRef))
        t.matches = sorted((short(p), str(o)) for p in (SKOS.exactMatch, SKOS.closeMatch, OWL.equivalentClass,
                                                        OWL.equivalentProperty, SKOS.broadMatch, SKOS.narrowMatch)
                           for o in ontology.objects(node, p) if isinstance(o, URIRef))
    for t in terms.values():
        for s in t.supers:
            if s in terms:
                terms[s].subs.append(t.iri)
        for d in t.domain:
            if d in terms:
                terms[d].properties.append(t.iri)
        for r in t.range:
            if r in terms:
                terms[r].used_as_range.append(t.iri)

    shapes = read_shapes(shapes_graph, short)
    by_name = {short(t.iri): t for t in terms.values()}
    for shape in shapes:
        for kind, target in shape.targets:
            if kind == "targetClass" and target in by_name:
                by_name[target].shapes.append(shape)
            if kind == "targetSubjectsOf" and target in by_name:
                by_name[target].subject_shapes.append(shape)
        for rule in shape.rules:
            for iri in dict.fromkeys(rule.path_iris):
                if iri in terms:
                    terms[iri].rules.append((shape, rule))
    for t in terms.values():
        if t.kind == "class":
            seen, todo = {t.iri}, list(t.supers)
            while todo:
                s = todo.pop(0)
                if s in seen or s not in terms:
                    continue
                seen.add(s)
                t.inherited += [(s, shape) for shape in terms[s].shapes]
                todo += terms[s].supers
        for attr in ("subs", "properties", "used_as_range"):
            getattr(t, attr).sort()

    def order(t: Term):
        return t.name.lower()

    groups = [(kind, heading, sorted((t for t in terms.values() if t.kind == kind), key=order))
              for kind, _, heading in KINDS]
    groups = [g for g in groups if g[2]]
    tree: list[tuple[int, Term]] = []

    def walk(t: Term, depth: int, path: tuple):
        tree.append((depth, t))
        for s in sorted((terms[x] for x in t.subs if x not in path), key=order):
            walk(s, depth + 1, path + (t.iri,))
    for root in sorted((t for t in terms.values() if t.kind == "class"
                        and not any(s in terms for s in t.supers)), key=order):
        walk(root, 0, ())

    individuals = []
    for s in sorted({s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)
                     and str(s).startswith(ns) and str(s) not in terms}, key=str):
        individuals.append({"iri": str(s), "name": str(s)[len(ns):], "label": english(ontology, s, SKOS.prefLabel)
                            or english(ontology, s, RDFS.label), "comment": english(ontology, s, RDFS.comment)
                            or english(ontology, s, SKOS.definition),
                            "types": sorted(short(o) for o in ontology.objects(s, RDF.type)
                                            if o != OWL.NamedIndividual)})
    head = iris.ontology()
    if (head, RDF.type, OWL.Ontology) not in ontology:
        head = next(iter(ontology.subjects(RDF.type, OWL.Ontology)), None)
    return OntologyDoc(english(ontology, head, RDFS.label) if head else "Ontology",
                       english(ontology, head, URIRef("http://purl.org/dc/terms/description")) if head else "",
                       str(ontology.value(head, OWL.versionInfo) or "") if head else "",
                       terms, groups, tree, individuals, shapes)


def load_doc(dumps_dir: Path, base_iri: str, prefixes: dict[str, str]) -> OntologyDoc:
    """The documentation of the ontology and shapes of one build (its dumps folder)."""
    ontology, shapes = Graph(), Graph()
    ontology.parse(dumps_dir / "ontology.ttl", format="turtle")
    if (dumps_dir / "shapes.ttl").is_file():
        shapes.parse(dumps_dir / "shapes.ttl", format="turtle")
    return build_doc(ontology, shapes, base_iri, prefixes)
