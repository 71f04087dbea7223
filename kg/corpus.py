"""Loads the whole annotated corpus in one call: sources, registry, annotations, cross-checked."""

from __future__ import annotations

from dataclasses import dataclass

from kg.annotations import Annotations, load_annotations
from kg.errors import SourceError
from kg.registry import Entity, load_registry
from kg.sources import Source, load_sources
from kg.vocabulary import CLASSES

PUBLICATION_CLASSES = set(CLASSES["publications"])
WORK_CLASSES = PUBLICATION_CLASSES | {"Manifesto", "Decree"}   # a source contains a text: a work


@dataclass
class Corpus:
    sources: dict[str, Source]
    registry: dict[str, Entity]
    annotations: Annotations


def load_corpus(sources_dir) -> Corpus:
    """Read and check everything under sources/; raise one error listing every problem."""
    sources = load_sources(sources_dir)
    errors: list = []
    registry = load_registry(sources_dir, errors)
    for src in sources.values():
        if src.author not in registry:
            errors.append(SourceError(f"author {src.author!r} is not in the entity registry",
                                      src.meta.loc("author")))
        for key, allowed in (("work", WORK_CLASSES), ("periodical", PUBLICATION_CLASSES)):
            eid = getattr(src, key)
            if eid is None:
                continue
            if eid not in registry:
                errors.append(SourceError(f"{key} {eid!r} is not in the entity registry (define it in "
                                          "sources/entities/common.yaml)", src.meta.loc(key)))
            elif registry[eid].cls not in allowed:
                errors.append(SourceError(f"{key} {eid!r} is a {registry[eid].cls}; expected one of "
                                          f"{', '.join(sorted(allowed))}", src.meta.loc(key)))
    annotations = load_annotations(sources_dir, sources, registry, errors)
    return Corpus(sources, registry, annotations)
