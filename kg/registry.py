"""The central registry of entities: stable ids, classes, labels, aliases, Wikidata links.

The registry is every YAML file in `sources/entities/`; an id is defined once across them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import yamlfile
from kg.errors import AnnotationError, InputErrors, Location
from kg.sources import SLUG
from kg.vocabulary import ALL_CLASSES, CLASSES, CONSTITUENCIES

QID = re.compile(r"^Q[1-9][0-9]*$")
ENTITY_KEYS = {"id", "class", "label", "label_ru", "aliases", "constituency", "wikidata",
               "wikidata_basis", "note", "description"}


@dataclass
class Entity:
    id: str
    cls: str
    label: str
    location: Location
    label_ru: str | None = None
    aliases: list[str] = field(default_factory=list)
    constituency: list[str] = field(default_factory=list)
    wikidata: str | None = None
    wikidata_basis: str | None = None
    note: str | None = None
    description: str | None = None


def verified_qids(sources_dir) -> dict[str, str]:
    """Wikidata ids checked against public data: qid → Wikidata's label."""
    path = Path(sources_dir) / "wikidata" / "verified-qids.tsv"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as fh:
        return {row["qid"]: row["wikidata_label"] for row in csv.DictReader(fh, delimiter="\t")}


def load_registry(sources_dir, errors: list | None = None) -> dict[str, Entity]:
    """Read every entities/*.yaml; collect all errors, then raise them together.

    Given an `errors` list, append to it instead of raising, and return the good entities.
    """
    collect = errors is not None
    folder = Path(sources_dir) / "entities"
    verified = verified_qids(sources_dir)
    out: dict[str, Entity] = {}
    errors = errors if collect else []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yamlfile.load(path)
        except AnnotationError as exc:
            errors.append(exc)
            continue
        if data is None:
            continue
        if not isinstance(data, list):
            errors.append(AnnotationError("expected a list of entities", Location(str(path), 1)))
            continue
        for node in data:
            try:
                ent = _entity(node, verified)
            except AnnotationError as exc:
                errors.append(exc)
                continue
            if ent.id in out:
                errors.append(AnnotationError(
                    f"entity id {ent.id!r} is already defined at {out[ent.id].location}", node.loc("id")))
                continue
            out[ent.id] = ent
    if errors and not collect:
        raise InputErrors(errors)
    return out


def _entity(node, verified) -> Entity:
    if not isinstance(node, dict):
        raise AnnotationError("an entity is a mapping with id, class, label", None)
    for key in node:
        if key not in ENTITY_KEYS:
            raise AnnotationError(f"unknown field; known: {', '.join(sorted(ENTITY_KEYS))}", node.loc(key))
    for key in ("id", "class", "label"):
        if not isinstance(node.get(key), str) or not node.get(key).strip():
            raise AnnotationError("required text field is missing or empty", node.loc(key))
    if not SLUG.match(node["id"]):
        raise AnnotationError(f"{node['id']!r} is not a lower-case-hyphenated id", node.loc("id"))
    if node["class"] not in ALL_CLASSES:
        raise AnnotationError(f"unknown class {node['class']!r}; known: "
                              + "; ".join(f"{k}: {', '.join(v)}" for k, v in CLASSES.items()), node.loc("class"))
    aliases = node.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise AnnotationError("aliases is a list of strings", node.loc("aliases"))
    constituency = node.get("constituency") or []
    if constituency and node["class"] not in CLASSES["soviets"]:
        raise AnnotationError("only soviets have a constituency", node.loc("constituency"))
    for c in constituency:
        if c not in CONSTITUENCIES:
            raise AnnotationError(f"unknown constituency {c!r}; known: {', '.join(CONSTITUENCIES)}",
                                  node.loc("constituency"))
    qid = node.get("wikidata")
    if qid is not None:
        if not isinstance(qid, str) or not QID.match(qid):
            raise AnnotationError(f"{qid!r} is not a Wikidata item id (Q followed by digits)", node.loc("wikidata"))
        if qid not in verified and not node.get("wikidata_basis"):
            raise AnnotationError(f"{qid} is not in wikidata/verified-qids.tsv; give wikidata_basis "
                                  "(who confirmed it, how) or leave the link out", node.loc("wikidata"))
    return Entity(id=node["id"], cls=node["class"], label=node["label"].strip(), location=node.loc("id"),
                  label_ru=node.get("label_ru"), aliases=aliases, constituency=constituency,
                  wikidata=qid, wikidata_basis=node.get("wikidata_basis"), note=node.get("note"),
                  description=node.get("description"))
