"""The data graph as dictionaries, for kg.shacl_core: subject → predicate → distinct objects.

Built once per validation from the quads; the look-ups SHACL needs (a node's values on a path, the
instances of a class through rdfs:subClassOf*, the subjects and objects of a predicate) are then
dictionary probes instead of rdflib graph queries.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib.namespace import RDF, RDFS


class Data:
    """The data graph as dictionaries: subject → predicate → distinct objects, and the class hierarchy."""

    def __init__(self, triples: Iterable[tuple]):
        out: dict = {}
        for s, p, o in triples:
            by_p = out.get(s)
            if by_p is None:
                by_p = out[s] = {}
            objs = by_p.get(p)
            if objs is None:
                by_p[p] = [o]
            elif o not in objs:
                objs.append(o)
        self.out = out
        self._supers: dict = {}
        self._subs: dict | None = None

    def objects(self, s, p) -> list:
        by_p = self.out.get(s)
        return by_p.get(p, ()) if by_p else ()

    def superclasses(self, c) -> set:
        """c and every class it is an rdfs:subClassOf*, as rdflib's transitive_objects walks it."""
        found = self._supers.get(c)
        if found is None:
            found, todo = set(), [c]
            while todo:
                x = todo.pop()
                if x not in found:
                    found.add(x)
                    todo.extend(self.objects(x, RDFS.subClassOf))
            self._supers[c] = found
        return found

    def _index(self) -> None:
        """Subjects by type and by predicate, and subclasses by class: made once, on first use."""
        self._subs, self._typed, self._with = {}, {}, {}
        for s, by_p in self.out.items():
            for p in by_p:
                self._with.setdefault(p, []).append(s)
            for c in by_p.get(RDF.type, ()):
                self._typed.setdefault(c, []).append(s)
            for sup in by_p.get(RDFS.subClassOf, ()):
                self._subs.setdefault(sup, []).append(s)

    def instances(self, c) -> set:
        """Subjects typed c or a subclass of c (rdfs:subClassOf*), as pySHACL's sh:targetClass finds them."""
        if self._subs is None:
            self._index()
        classes, todo, found = set(), [c], set()
        while todo:
            x = todo.pop()
            if x not in classes:
                classes.add(x)
                found.update(self._typed.get(x, ()))
                todo.extend(self._subs.get(x, ()))
        return found

    def subjects_of(self, p) -> set:
        if self._subs is None:
            self._index()
        return set(self._with.get(p, ()))

    def objects_of(self, p) -> set:
        return {o for s in self.subjects_of(p) for o in self.out[s][p]}
