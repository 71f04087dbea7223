"""SHACL Core (https://www.w3.org/TR/shacl/#core-components) in plain Python over an index of the data.

pySHACL checks each focus node through layers of rdflib graph look-ups (about 10 s of CPU for
20,000 triples of our shapes); here each shape is compiled once into small functions and run over
dictionaries: subject → predicate → objects. Each component copies pySHACL's own rule, including
its quirks (literal comparison through pySHACL's `compare_literal`, pattern match-or-search,
`allow_warnings`: a nested shape of severity Warning or Info always conforms), so the results
are pySHACL's; tests/test_shacl_targeted.py compares them on valid and broken graphs.

A shape using anything not written here (another path kind, sh:closed, sh:equals, a disjoint
qualified shape, no or several messages where a result is reported…) is `unsupported`, and
kg.shacl_targeted leaves it to pySHACL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.errors import KgError
from kg.namespaces import SH
from kg.shacl_index import Data

ALLOWED = {SH.Warning, SH.Info}            # the severities `allow_warnings=True` lets a shape conform with
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# sh: predicates of a shape that state no constraint
INERT = {SH.path, SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
         SH.defaultValue, SH.prefixes, SH.declare, SH.target, *TARGETS,
         SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint}   # read with others


class Unsupported(Exception):
    """A shape this evaluator does not cover; pySHACL validates it."""


@dataclass
class Shape:
    node: object
    path: tuple | None                   # predicates of an IRI or sequence path; None for a node shape
    path_node: object                    # the path as written in the shapes graph (sh:resultPath)
    severity: object
    message: Literal | None
    deactivated: bool
    checks: list = field(default_factory=list)        # (component, fn(focus, values) → [value or None], message)
    properties: list = field(default_factory=list)    # the shapes of sh:property


class Validator:
    """The shapes of a shapes graph compiled against one Data."""

    def __init__(self, shapes: Graph, data: Data):
        self.sg, self.data = shapes, data
        self.compiled: dict = {}
        self.building: set = set()

    # -- compiling --
    def shape(self, node, reporting: bool) -> Shape:
        """The compiled shape; `reporting` shapes (top level, or reached by sh:property) need one message."""
        key = (node, reporting)
        if key in self.building:       # pySHACL skips a recursion with a warning; not copied here
            raise Unsupported(f"{node}: recursive shape")
        if key in self.compiled:
            return self.compiled[key]
        sg = self.sg
        preds = {p for p in sg.predicates(node, None) if str(p).startswith(str(SH))}
        if any(t in (RDFS.Class, OWL.Class) for t in sg.objects(node, RDF.type)):
            raise Unsupported(f"{node}: implicit class target")
        messages = list(sg.objects(node, SH.message))
        severities = list(sg.objects(node, SH.severity))
        deactivated = sg.value(node, SH.deactivated)
        path_node = sg.value(node, SH.path)
        shape = Shape(node, self._path(path_node) if path_node is not None else None, path_node,
                      severities[0] if severities else SH.Violation, messages[0] if messages else None,
                      bool(deactivated.value) if isinstance(deactivated, Literal) else False)
        self.compiled[key] = shape
        self.building.add(key)
        try:
            for p in sorted(preds - INERT):
                build = getattr(self, "_c_" + str(p)[len(str(SH)):], None)
                if build is None:
                    raise Unsupported(f"{node}: sh:{str(p)[len(str(SH)):]}")
                build(shape, list(sg.objects(node, p)), reporting)
            if len(messages) > 1 or (reporting and not messages and any(m is None for _, _, m in shape.checks)):
                raise Unsupported(f"{node}: {len(messages)} messages")   # pySHACL's generic ones are copied for sh:class only
        except Unsupported:
            del self.compiled[key]
            raise
        finally:
            self.building.discard(key)
        return shape

    def _path(self, path) -> tuple:
        if isinstance(path, URIRef):
            return (path,)
        items = list(self.sg.items(path)) if (path, RDF.first, None) in self.sg else []
        if len(items) < 2 or not all(isinstance(i, URIRef) for i in items):
            raise Unsupported(f"path {path}")
        return tuple(items)

    def _check(self, shape: Shape, component, fn: Callable, generic: Literal | None = None) -> None:
        shape.checks.append((component, fn, shape.message or generic))

    def _c_property(self, shape: Shape, objs, reporting) -> None:
        shape.properties.extend(self.shape(o, reporting=reporting) for o in objs)
        if any(p.path is None for p in shape.properties):
            raise Unsupported(f"{shape.node}: sh:property without a path")

    def _c_class(self, shape, objs, reporting):
        from pyshacl.rdfutil.stringify import stringify_node
        data = self.data
        for c in objs:
            def fn(f, values, c=c):
                return [v for v in values if isinstance(v, Literal)
                        or not any(c in data.superclasses(t) for t in data.objects(v, RDF.type))]
            names = ", ".join(stringify_node(self.sg, x) for x in objs)
            generic = f"Value does not have class {names}" if len(objs) < 2 else f"Value class is not in classes ({names})"
            self._check(shape, SH.ClassConstraintComponent, fn, Literal(generic))

    def _c_datatype(self, shape, objs, reporting):
        if len(objs) != 1:
            raise Unsupported("sh:datatype")
        d = objs[0]
        from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent
        actual = DatatypeConstraintComponent._assert_actual_datatype    # pySHACL's check of a literal's value

        def fn(f, values):
            return [v for v in values if not _datatype_matches(v, d, actual)]
        self._check(shape, SH.DatatypeConstraintComponent, fn)

    def _c_nodeKind(self, shape, objs, reporting):
        kinds = {BNode: (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI),
                 Literal: (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral),
                 URIRef: (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)}
        k = objs[0]

        def fn(f, values):
            return [v for v in values if k not in kinds.get(type(v), ())]
        self._check(shape, SH.NodeKindConstraintComponent, fn)

    def _c_minCount(self, shape, objs, reporting):
        n = int(objs[0].value)
        self._check(shape, SH.MinCountConstraintComponent, lambda f, values: [None] if len(values) < n else [])

    def _c_maxCount(self, shape, objs, reporting):
        n = int(objs[0].value)
        self._check(shape, SH.MaxCountConstraintComponent, lambda f, values: [None] if len(values) > n else [])

    def _range(self, shape, objs, component, passes):
        from pyshacl.rdfutil.compare import compare_literal     # pySHACL's own ordering of literals
        for m in objs:
            m_str = isinstance(m.value, str)

            def ok(v, m=m, m_str=m_str):
                if not isinstance(v, Literal) or isinstance(v.value, str) != m_str:
                    return False
                try:
                    return passes(compare_literal(v, m))
                except (TypeError, NotImplementedError):
                    # compare_literal raises these for literals of types that do not compare (a date
                    # against a number); pySHACL's range components catch the same two and report
                    # the value, so it fails here too
                    return False
            self._check(shape, component, lambda f, values, ok=ok: [v for v in values if not ok(v)])

    def _c_minInclusive(self, shape, objs, reporting):
        self._range(shape, objs, SH.MinInclusiveConstraintComponent, lambda c: c >= 0)

    def _c_maxInclusive(self, shape, objs, reporting):
        self._range(shape, objs, SH.MaxInclusiveConstraintComponent, lambda c: c <= 0)

    def _c_minExclusive(self, shape, objs, reporting):
        self._range(shape, objs, SH.MinExclusiveConstraintComponent, lambda c: c > 0)

    def _c_maxExclusive(self, shape, objs, reporting):
        self._range(shape, objs, SH.MaxExclusiveConstraintComponent, lambda c: c < 0)

    def _c_minLength(self, shape, objs, reporting):
        if len(objs) != 1:
            raise Unsupported("sh:minLength")
        n = objs[0].value
        self._check(shape, SH.MinLengthConstraintComponent, lambda f, values: [
            v for v in values if n != 0 and (isinstance(v, BNode) or len(_string(v)) < n)])

    def _c_maxLength(self, shape, objs, reporting):
        if len(objs) != 1:
            raise Unsupported("sh:maxLength")
        n = objs[0].value
        self._check(shape, SH.MaxLengthConstraintComponent, lambda f, values: [
            v for v in values if isinstance(v, BNode) or len(_string(v)) > n])

    def _c_pattern(self, shape, objs, reporting):
        flags = self.sg.value(shape.node, SH.flags)
        re_flags = 0
        if flags is not None:
            text = str(flags.value).lower()
            re_flags = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
        for p in objs:
            rx = re.compile(str(p.value) if p.value is not None and len(p.value) > 1 else str(p), re_flags)
            self._check(shape, SH.PatternConstraintComponent, lambda f, values, rx=rx: [
                v for v in values if isinstance(v, BNode) or not rx.search(_string(v))])

    def _c_languageIn(self, shape, objs, reporting):
        for lst in objs:
            need = {str(x.value).lower() for x in self.sg.items(lst)}

            def ok(v, need=need):
                if not isinstance(v, Literal) or not v.language:
                    return False
                lang = str(v.language).lower()
                return "*" in need or lang in need or lang.split("-")[0] in need
            self._check(shape, SH.LanguageInConstraintComponent, lambda f, values, ok=ok: [
                v for v in values if not ok(v)])

    def _c_uniqueLang(self, shape, objs, reporting):
        if not any(o.value is True for o in objs if isinstance(o, Literal)):
            return

        def fn(f, values):
            seen, dups = set(), set()
            for v in values:
                if isinstance(v, Literal) and v.language:
                    lang = str(v.language).lower()
                    (dups if lang in seen else seen).add(lang)
            return [None] * len(dups)
        self._check(shape, SH.UniqueLangConstraintComponent, fn)

    def _c_in(self, shape, objs, reporting):
        allowed = {x for lst in objs for x in self.sg.items(lst)}
        self._check(shape, SH.InConstraintComponent, lambda f, values: [v for v in values if v not in allowed])

    def _c_hasValue(self, shape, objs, reporting):
        for hv in objs:
            self._check(shape, SH.HasValueConstraintComponent, lambda f, values, hv=hv: [
                None] if not any(v == hv for v in values) else [])

    def _c_lessThanOrEquals(self, shape, objs, reporting):
        self._pair(shape, objs, SH.LessThanOrEqualsConstraintComponent, lambda a, b: a <= b)

    def _c_lessThan(self, shape, objs, reporting):
        self._pair(shape, objs, SH.LessThanConstraintComponent, lambda a, b: a < b)

    def _pair(self, shape, objs, component, holds):
        data = self.data
        for other in objs:
            if not isinstance(other, URIRef):
                raise Unsupported("a property pair over a complex path")

            def fn(f, values, other=other):
                bad = []
                for v in values:
                    a, a_str = _comparable(v)
                    for w in data.objects(f, other):
                        b, b_str = _comparable(w)
                        if a_str != b_str or not holds(a, b):
                            bad.append(v)
                return bad
            self._check(shape, component, fn)

    def _logical(self, shape, objs, component, ok_count: Callable[[int, int], bool], distinct: bool = True):
        for lst in objs:
            items = list(self.sg.items(lst))      # pySHACL counts sh:xone's members as listed, the others as a set
            members = [self.shape(m, reporting=False) for m in (dict.fromkeys(items) if distinct else items)]

            def fn(f, values, members=members):
                return [v for v in values
                        if not ok_count(sum(self.conforms(m, v) for m in members), len(members))]
            self._check(shape, component, fn)

    def _c_and(self, shape, objs, reporting):
        self._logical(shape, objs, SH.AndConstraintComponent, lambda n, total: n == total)

    def _c_or(self, shape, objs, reporting):
        self._logical(shape, objs, SH.OrConstraintComponent, lambda n, total: n >= 1)

    def _c_xone(self, shape, objs, reporting):
        self._logical(shape, objs, SH.XoneConstraintComponent, lambda n, total: n == 1, distinct=False)

    def _c_not(self, shape, objs, reporting):
        for o in objs:
            other = self.shape(o, reporting=False)
            self._check(shape, SH.NotConstraintComponent, lambda f, values, other=other: [
                v for v in values if self.conforms(other, v)])

    def _c_node(self, shape, objs, reporting):
        for o in objs:
            other = self.shape(o, reporting=False)
            self._check(shape, SH.NodeConstraintComponent, lambda f, values, other=other: [
                v for v in values if not self.conforms(other, v)])

    def _c_qualifiedValueShape(self, shape, objs, reporting):
        sg = self.sg
        disjoint = sg.value(shape.node, SH.qualifiedValueShapesDisjoint)
        if len(objs) != 1 or (isinstance(disjoint, Literal) and disjoint.value is True):
            raise Unsupported("sh:qualifiedValueShape (several, or disjoint)")
        other = self.shape(objs[0], reporting=False)
        low, high = sg.value(shape.node, SH.qualifiedMinCount), sg.value(shape.node, SH.qualifiedMaxCount)

        def count(values):
            return sum(self.conforms(other, v) for v in values)
        if high is not None:
            self._check(shape, SH.QualifiedMaxCountConstraintComponent, lambda f, values: [
                None] if count(values) > int(high.value) else [])
        if low is not None:
            self._check(shape, SH.QualifiedMinCountConstraintComponent, lambda f, values: [
                None] if count(values) < int(low.value) else [])

    # -- evaluating --
    def values(self, shape: Shape, focus) -> list:
        """The value nodes of `focus`, distinct (never changed by the caller)."""
        if shape.path is None:
            return [focus]
        if len(shape.path) == 1:
            return self.data.objects(focus, shape.path[0])
        nodes = [focus]
        for p in shape.path:
            nodes = list(dict.fromkeys(o for n in nodes for o in self.data.objects(n, p)))
        return nodes

    def conforms(self, shape: Shape, focus) -> bool:
        """Whether `focus` conforms, as pySHACL decides it for a nested shape under allow_warnings."""
        if shape.deactivated or shape.severity in ALLOWED:
            return True
        values = self.values(shape, focus)
        for _, fn, _ in shape.checks:
            if fn(focus, values):
                return False
        return all(self.conforms(p, v) for p in shape.properties for v in values)

    def results(self, shape: Shape, focus_nodes: Iterable, out: set) -> None:
        """Add the results of `shape` on `focus_nodes` to `out`, as kg.shacl_targeted's result tuples."""
        if shape.deactivated:
            return
        for f in focus_nodes:
            values = self.values(shape, f)
            for component, fn, message in shape.checks:
                for v in fn(f, values):
                    out.add((f, shape.path_node, shape.node, shape.severity, message, v, component, None))
            for p in shape.properties:
                self.results(p, values, out)

    def focus_nodes(self, node) -> set:
        sg, data = self.sg, self.data
        found = set(sg.objects(node, SH.targetNode))
        for c in sg.objects(node, SH.targetClass):
            found |= data.instances(c)
        for p in sg.objects(node, SH.targetSubjectsOf):
            found |= data.subjects_of(p)
        for p in sg.objects(node, SH.targetObjectsOf):
            found |= data.objects_of(p)
        return found


def target_shapes(shapes: Graph) -> list:
    """The shapes with targets of their own, the ones validation starts from."""
    return sorted({s for t in TARGETS for s in shapes.subjects(t, None)} | set(shapes.subjects(SH.target, None)),
                  key=str)


def compile_shapes(shapes: Graph) -> tuple[list, list]:
    """(top-level shapes this evaluator covers, those it leaves to pySHACL)."""
    probe = Validator(shapes, Data(()))
    covered, left = [], []
    for node in target_shapes(shapes):
        try:
            shape = probe.shape(node, reporting=True)
            if (node, SH.target, None) in shapes and (shape.checks or shape.properties):
                raise Unsupported(f"{node}: sh:target")     # SHACL-AF targets: only for sh:sparql, run on Oxigraph
            covered.append(node)
        except Unsupported:
            left.append(node)
    return covered, left


def validate_core(shapes: Graph, data: Data, nodes: Iterable) -> set:
    """The results of the top-level shapes `nodes` (all covered) over `data`."""
    v = Validator(shapes, data)
    out: set = set()
    for node in nodes:
        v.results(v.shape(node, reporting=True), v.focus_nodes(node), out)
    return out


def _string(v) -> str:
    """pySHACL's value_node_to_string: a string literal's value, else the lexical form or IRI."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return str(v.value)
    return str(v)


def _comparable(v):
    """A node as pySHACL's property-pair comparisons read it: (value, is it a string)."""
    if isinstance(v, BNode):     # pySHACL stops validating here too
        raise KgError("SHACL: sh:lessThan(OrEquals) cannot compare a blank node")
    if isinstance(v, URIRef):
        return str(v), True
    if isinstance(v, Literal) and isinstance(v.value, str):
        return v.value, True
    return v, False


def _datatype_matches(v, d, actual) -> bool:
    """pySHACL's DatatypeConstraintComponent for one value."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == d:
        if getattr(v, "ill_typed", None) is True:
            return False
        return actual(None, v, d)
    if d == RDFS.Literal:
        return True
    if d == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and d == XSD.string:
        return actual(None, v, d)
    if d == RDF.langString and v.language:
        return actual(None, v, d)
    return False
