"""The central registry of entities: stable ids, classes, labels, aliases, Wikidata links.

The registry is every YAML file in `sources/entities/`; an id is defined once across them.
Links accepted by `kg link --accept` live apart, in `sources/wikidata/links.yaml`: one entry
per link (`id`, `wikidata` and who made it, how sure, from which mapping set), merged here
onto the entity it names, so that the hand-written entity files never change under a tool.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import sssom, yamlfile
from kg.errors import AnnotationError, InputErrors, Location
from kg.sources import SLUG
from kg.vocabulary import ALL_CLASSES, CLASSES, CONSTITUENCIES, ORGANISATION_CLASSES, PLACE_CLASSES

QID = re.compile(r"^Q[1-9][0-9]*$")
ENTITY_KEYS = {"id", "class", "label", "label_ru", "aliases", "constituency", "wikidata",
               "wikidata_basis", "wikidata_confidence", "note", "description", "place"}
LINKS_FILE = Path("wikidata") / "links.yaml"
LINK_KEYS = {"id", "wikidata", "wikidata_label", "wikidata_basis", "wikidata_confidence",
             "wikidata_justification", "wikidata_reviewer", "wikidata_reviewer_id", "wikidata_date",
             "wikidata_mapping_set"}
# SEMAPV justifications a link may carry (https://mapping-commons.github.io/semantic-mapping-vocabulary/).
JUSTIFICATIONS = ("semapv:ManualMappingCuration", "semapv:LexicalMatching", "semapv:CompositeMatching")
VERIFIED_FILES = ("verified-qids.tsv", "verified-qids-more.tsv")
VERIFIED_BASIS = ("Listed in sources/wikidata/{file}: checked offline against public datasets "
                  "that state the id together with the item's label.")
# Mappings to items that are related to an entity but not the very same thing (a body and the
# generic item of its kind, a historical country and today's state): a SSSOM/TSV mapping set
# whose rows carry one of these predicates, published as such and never as a link.
RELATED_FILE = Path("wikidata") / "related.sssom.tsv"
RELATED_PREDICATES = ("skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch")


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
    link: "Link | None" = None
    related: list["Link"] = field(default_factory=list)   # close, broad, narrow or related matches
    place: str | None = None        # registry id of the place a body sat in (kg:locatedIn)


@dataclass
class Link:
    """How an entity's Wikidata link was made: by whom or what, how sure, and where it is written."""

    qid: str
    basis: str                      # who or what made it, and how, in words
    confidence: float               # 0..1, as in SSSOM
    justification: str              # a SEMAPV term, as in SSSOM's mapping_justification
    location: Location
    verified: bool = False          # listed in wikidata/verified-qids.tsv
    label: str | None = None        # the item's label on Wikidata when the link was made
    reviewer: str | None = None
    reviewer_id: str | None = None  # an IRI (e.g. an ORCID)
    date: str | None = None         # YYYY-MM-DD
    mapping_set: str | None = None  # the SSSOM mapping_set_id the link was accepted from
    predicate: str = "skos:exactMatch"   # SSSOM predicate_id: exactMatch for a link, else a related match


@dataclass(frozen=True)
class Verified:
    """One checked Wikidata id: its label, the list it is in, and the entity it was checked for."""

    label: str
    file: str
    entity: str | None = None       # verified-qids-more.tsv names the registry id it was checked for


def verified_qids(sources_dir) -> dict[str, Verified]:
    """Wikidata ids checked against public data (sources/wikidata/verified-qids*.tsv): qid → Verified."""
    out: dict[str, Verified] = {}
    for name in VERIFIED_FILES:
        path = Path(sources_dir) / "wikidata" / name
        if not path.is_file():
            continue
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                label = row.get("wikidata_label") or row.get("label") or ""
                out.setdefault(row["qid"], Verified(label, name, row.get("registry_id") or None))
    return out


def _verified_for(verified: dict, qid: str, eid: str) -> "Verified | None":
    """The check of `qid`, if it holds for entity `eid` (an id checked for another entity does not)."""
    v = verified.get(qid)
    return v if v and v.entity in (None, eid) else None


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
        nodes = _yaml_list(path, "entities", errors)
        for i, node in enumerate(nodes):
            try:
                ent = _entity(node, verified)
            except AnnotationError as exc:
                errors.append(yamlfile.placed(exc, nodes, i))
                continue
            if ent.id in out:
                errors.append(AnnotationError(
                    f"entity id {ent.id!r} is already defined at {out[ent.id].location}", node.loc("id")))
                continue
            out[ent.id] = ent
    _check_places(out, errors)
    _merge_links(Path(sources_dir) / LINKS_FILE, out, verified, errors)
    _unique_links(out, errors)
    _merge_related(Path(sources_dir) / RELATED_FILE, out, verified, errors)
    if errors and not collect:
        raise InputErrors(errors)
    return out


def _check_places(entities: dict[str, Entity], errors: list) -> None:
    """A body's registry place is a place of the registry."""
    for ent in entities.values():
        if ent.place is None:
            continue
        target = entities.get(ent.place)
        if target is None or target.cls not in PLACE_CLASSES:
            what = "not in the registry" if target is None else f"a {target.cls}, not a place"
            errors.append(AnnotationError(f"place {ent.place!r} is {what}",
                                          Location(ent.location.path, ent.location.line, "place")))


def _yaml_list(path: Path, what: str, errors: list) -> list:
    """The list a registry file holds; a file that is not one becomes an error in `errors`."""
    try:
        data = yamlfile.load(path)
    except AnnotationError as exc:
        errors.append(exc)
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        errors.append(AnnotationError(f"expected a list of {what}", Location(str(path), 1)))
        return []
    return data


def _merge_links(path: Path, entities: dict[str, Entity], verified: dict, errors: list) -> None:
    """Lay the accepted links of wikidata/links.yaml onto their entities; unknown ids are errors."""
    if not path.is_file():
        return
    nodes = _yaml_list(path, "links", errors)
    for i, node in enumerate(nodes):
        try:
            eid, link = _link_entry(node, verified)
        except AnnotationError as exc:
            errors.append(yamlfile.placed(exc, nodes, i))
            continue
        ent = entities.get(eid)
        if ent is None:
            errors.append(AnnotationError(f"no entity {eid!r} in the registry", node.loc("id")))
        elif ent.wikidata:
            errors.append(AnnotationError(
                f"{eid} is already linked to {ent.wikidata} at {ent.link.location}", node.loc("id")))
        else:
            ent.wikidata, ent.wikidata_basis, ent.link = link.qid, link.basis, link


def _check_fields(node, what: str, known, required: tuple[str, ...]) -> None:
    """A registry entry is a mapping of known fields, each required one non-empty text; else the
    first fault, at its line."""
    if not isinstance(node, dict):
        raise AnnotationError(f"{what} is a mapping with {', '.join(required)}", None)
    for key in node:
        if key not in known:
            raise AnnotationError(f"unknown field; known: {', '.join(sorted(known))}", node.loc(key))
    for key in required:
        if not isinstance(node.get(key), str) or not node[key].strip():
            raise AnnotationError("required text field is missing or empty", node.loc(key))


def _link_entry(node, verified) -> tuple[str, Link]:
    _check_fields(node, "a link", LINK_KEYS, ("id", "wikidata", "wikidata_basis"))
    qid = _qid(node)
    justification = node.get("wikidata_justification", "semapv:ManualMappingCuration")
    if justification not in JUSTIFICATIONS:
        raise AnnotationError(f"unknown justification; known: {', '.join(JUSTIFICATIONS)}",
                              node.loc("wikidata_justification"))
    for key in ("wikidata_reviewer_id", "wikidata_mapping_set"):
        if node.get(key) is not None and not re.match(r"^(https?|urn):\S+$", str(node[key])):
            raise AnnotationError(f"{node[key]!r} is not an absolute IRI", node.loc(key))
    date = node.get("wikidata_date")
    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(date)):
        raise AnnotationError(f"{date!r} is not a date (YYYY-MM-DD)", node.loc("wikidata_date"))
    return node["id"], Link(
        qid=qid, basis=node["wikidata_basis"].strip(), confidence=_confidence(node),
        justification=justification, location=node.loc("wikidata"),
        verified=_verified_for(verified, qid, node["id"]) is not None,
        label=node.get("wikidata_label"), reviewer=node.get("wikidata_reviewer"),
        reviewer_id=node.get("wikidata_reviewer_id"), date=str(date) if date else None,
        mapping_set=node.get("wikidata_mapping_set"))


def _qid(node) -> str:
    qid = node.get("wikidata")
    if not isinstance(qid, str) or not QID.match(qid):
        raise AnnotationError(f"{qid!r} is not a Wikidata item id (Q followed by digits)", node.loc("wikidata"))
    return qid


def _confidence(node, default: float = 1.0) -> float:
    value = node.get("wikidata_confidence", default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise AnnotationError(f"{value!r} is not a confidence between 0 and 1", node.loc("wikidata_confidence"))
    return float(value)


def _unique_links(entities: dict[str, Entity], errors: list) -> None:
    """One Wikidata item, one entity: two entities linked to one item means one link is wrong."""
    seen: dict[str, Entity] = {}
    for ent in entities.values():
        if not ent.wikidata:
            continue
        if ent.wikidata in seen:
            errors.append(AnnotationError(
                f"{ent.wikidata} is already the Wikidata link of {seen[ent.wikidata].id} "
                f"({seen[ent.wikidata].link.location})", ent.link.location))
        else:
            seen[ent.wikidata] = ent


def _merge_related(path: Path, entities: dict[str, Entity], verified: dict, errors: list) -> None:
    """Lay the rows of wikidata/related.sssom.tsv onto their entities as related matches.

    Each row's item must be checked (verified-qids*.tsv) or reviewed (reviewer_label/_id), and
    must not be the entity's own link: an item is either the very thing or a related one.
    """
    if not path.is_file():
        return
    try:
        ms = sssom.read(path)
    except (AnnotationError, InputErrors) as exc:
        errors.extend(exc.errors if isinstance(exc, InputErrors) else [exc])
        return
    for row in ms.rows:
        loc = Location(str(path), row["_line"])
        try:
            eid, link = _related_row(ms, row, loc, entities, verified)
        except AnnotationError as exc:
            errors.append(exc)
            continue
        entities[eid].related.append(link)


def _related_row(ms, row: dict, loc: Location, entities: dict, verified: dict) -> tuple[str, Link]:
    def at(col):
        return Location(loc.path, loc.line, col)
    subject = ms.expand(row["subject_id"], at("subject_id"))
    eid = subject.rsplit("/", 1)[-1]
    if eid not in entities or not subject.endswith("/id/" + eid):
        raise AnnotationError(f"{row['subject_id']!r} is not an entity of the registry", at("subject_id"))
    if row["predicate_id"] not in RELATED_PREDICATES:
        raise AnnotationError(f"a related match is one of {', '.join(RELATED_PREDICATES)}, not "
                              f"{row['predicate_id']!r} (links go in the entity files or links.yaml)",
                              at("predicate_id"))
    obj = ms.expand(row["object_id"], at("object_id"))
    qid = obj.rsplit("/", 1)[-1]
    if not obj.startswith("http://www.wikidata.org/entity/") or not QID.match(qid):
        raise AnnotationError(f"{row['object_id']!r} is not a Wikidata item", at("object_id"))
    if entities[eid].wikidata == qid:
        raise AnnotationError(f"{qid} is already the link of {eid}: an item is the very thing or a "
                              "related one, not both", at("object_id"))
    if row["mapping_justification"] not in JUSTIFICATIONS:
        raise AnnotationError(f"justification {row['mapping_justification']!r} is not one of "
                              f"{', '.join(JUSTIFICATIONS)}", at("mapping_justification"))
    checked = _verified_for(verified, qid, eid)
    reviewer = row.get("reviewer_label") or row.get("reviewer_id") or None
    if checked is None and not reviewer:
        raise AnnotationError(f"{qid} is neither in wikidata/verified-qids*.tsv for {eid} nor reviewed "
                              "(reviewer_label)", at("object_id"))
    try:
        confidence = float(row.get("confidence") or 1)
    except ValueError:
        confidence = -1.0
    if not 0 <= confidence <= 1:
        raise AnnotationError(f"confidence {row.get('confidence')!r} is not a number from 0 to 1", at("confidence"))
    basis = (VERIFIED_BASIS.format(file=checked.file) + " " if checked else "") + (row.get("comment") or "")
    return eid, Link(qid, basis.strip(), confidence, row["mapping_justification"], loc,
                     verified=checked is not None, label=row.get("object_label") or (checked.label if checked else None),
                     reviewer=reviewer, date=row.get("review_date") or None,
                     mapping_set=str(ms.metadata["mapping_set_id"]), predicate=row["predicate_id"])


def _entity(node, verified) -> Entity:
    _check_fields(node, "an entity", ENTITY_KEYS, ("id", "class", "label"))
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
    place = node.get("place")
    if place is not None:
        if node["class"] not in ORGANISATION_CLASSES:
            raise AnnotationError("only bodies (soviets, committees, …) have a registry place", node.loc("place"))
        if not isinstance(place, str) or not SLUG.match(place):
            raise AnnotationError("place is the registry id of a place", node.loc("place"))
    qid, link = node.get("wikidata"), None
    if qid is not None:
        qid = _qid(node)
        checked = _verified_for(verified, qid, node["id"])
        if checked is None and not node.get("wikidata_basis"):
            other = verified.get(qid)
            why = (f"{qid} was checked for {other.entity}, not {node['id']}" if other
                   else f"{qid} is not in wikidata/verified-qids.tsv or verified-qids-more.tsv")
            raise AnnotationError(f"{why}; give wikidata_basis (who confirmed it, how) or leave the link out",
                                  node.loc("wikidata"))
        if checked and not node.get("wikidata_basis"):
            link = Link(qid, VERIFIED_BASIS.format(file=checked.file), 1.0, "semapv:ManualMappingCuration",
                        node.loc("wikidata"), verified=True, label=checked.label)
        else:
            link = Link(qid, str(node["wikidata_basis"]).strip(), _confidence(node),
                        "semapv:ManualMappingCuration", node.loc("wikidata"), verified=checked is not None,
                        label=checked.label if checked else None)
    elif "wikidata_basis" in node or "wikidata_confidence" in node:
        raise AnnotationError("wikidata_basis and wikidata_confidence go with a wikidata id",
                              node.loc("wikidata_basis" if "wikidata_basis" in node else "wikidata_confidence"))
    return Entity(id=node["id"], cls=node["class"], label=node["label"].strip(), location=node.loc("id"),
                  label_ru=node.get("label_ru"), aliases=aliases, constituency=constituency,
                  wikidata=qid, wikidata_basis=node.get("wikidata_basis"), note=node.get("note"),
                  description=node.get("description"), link=link, place=place)
