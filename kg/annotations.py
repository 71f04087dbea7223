"""Annotation files → checked records: mentions and statements anchored to exact passages.

Every file in `sources/annotations/` names its `source:` and lists `mentions:` and
`statements:` (format and worked example: sources/README.md). Each evidence quote is
checked against the text: at its `offset` when given, otherwise it must occur exactly once.
All errors of a pass are collected and reported together with file, line and field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import yamlfile
from kg.calendar import DateSpan, HistoricalDate
from kg.date_fields import dated
from kg.errors import AnnotationError, InputErrors, Location
from kg.quantity import COUNTED, DEFAULT_COUNTED, GROUPINGS, Quantity, QuantityError, parse_quantity
from kg.registry import Entity
from kg.sources import SLUG, Source
from kg.vocabulary import (CLAIMANT_CLASSES, DATE_QUALIFIERS, ENTITY_QUALIFIERS, INTEGER_QUALIFIERS, PREDICATES,
                           QUALIFIERS, ROLES, STANCES, TEXT_QUALIFIERS)

STATEMENT_KEYS = {"id", "subject", "predicate", "object", "value", "quote", "offset", "attribution",
                  "external"} | set(QUALIFIERS)
MENTION_KEYS = {"entity", "quote", "offset", "all"}
README = "sources/README.md"


@dataclass
class Evidence:
    quote: str
    start: int
    end: int
    line: int           # line of the passage in the source text


@dataclass
class Mention:
    source: str
    entity: str
    start: int
    end: int
    location: Location


@dataclass
class Statement:
    id: str
    source: str
    subject: str
    predicate: str
    location: Location
    object: str | None = None
    value: object = None                       # Quantity, str, HistoricalDate or DateSpan
    evidence: Evidence | None = None
    external: str | None = None                # basis of knowledge the text does not state
    attribution: str = "author"                # author | editor | translator | quoted | external
    quoted: str | None = None                  # agent id when attribution is "quoted:<id>"
    claimant: str | None = None                # words naming an unnamed claimant ("the bourgeois press")
    stance: str = "asserts"                    # the speech act (vocabulary.STANCES)
    dates: dict[str, HistoricalDate | DateSpan] = field(default_factory=dict)   # when/start/end/as_of
    entities: dict[str, str] = field(default_factory=dict)           # place/by/replaces/on_behalf_of
    texts: dict[str, str] = field(default_factory=dict)              # unit/note
    counts: dict[str, int] = field(default_factory=dict)             # seats
    role: str | None = None
    approximate: bool = False
    uncertain: str | None = None
    counted: str | None = None                 # what a number counts (quantity.COUNTED)
    group_by: str | None = None                # which grouping (quantity.GROUPINGS)
    group: str | None = None                   # the group: an entity id (group_is_entity) or words
    group_is_entity: bool = False
    maximum: bool = False                      # a maximum size set by a rule
    part_of: str | None = None                 # id of the total statement this figure is a part of
    breakdown_complete: bool | str = False     # the parts given are all of this total (or those of one grouping)
    part_of_location: Location | None = None
    lines: dict[str, Location] = field(default_factory=dict)   # field → where it is written

    @property
    def quantity(self) -> Quantity | None:
        return self.value if isinstance(self.value, Quantity) else None


@dataclass
class Annotations:
    mentions: list[Mention] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def find_quote(text: str, quote: str, offset, loc: Location) -> tuple[int, int]:
    """Anchor a quote: check it at `offset`, or find its single occurrence."""
    if not isinstance(quote, str) or not quote.strip():
        raise AnnotationError("quote is missing or empty", loc)
    if offset is not None:
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise AnnotationError(f"offset {offset!r} is not a character offset", loc)
        if text[offset:offset + len(quote)] != quote:
            hits = _occurrences(text, quote)
            hint = f"; the quote occurs at {', '.join(map(str, hits[:10]))}" if hits else ""
            raise AnnotationError(f"quote {_short(quote)} is not at offset {offset}{hint}", loc)
        return offset, offset + len(quote)
    hits = _occurrences(text, quote)
    if not hits:
        raise AnnotationError(f"quote {_short(quote)} is not in the source text (check spelling, "
                              "curly quotes ’ “ ”, dashes — and spacing)", loc)
    if len(hits) > 1:
        raise AnnotationError(f"quote {_short(quote)} occurs {len(hits)} times, at offsets "
                              f"{', '.join(map(str, hits[:10]))}: give 'offset' or a longer quote", loc)
    return hits[0], hits[0] + len(quote)


def _occurrences(text: str, quote: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(quote), text)] if quote else []


def _short(quote: str) -> str:
    return repr(quote if len(quote) <= 60 else quote[:57] + "...")


def load_annotations(sources_dir, sources: dict[str, Source], registry: dict[str, Entity],
                     errors: list | None = None) -> Annotations:
    """Read and check every annotation file; raise InputErrors listing every problem found."""
    out = Annotations()
    prior = errors or []
    errors: list[AnnotationError] = list(prior)
    seen_ids: dict[tuple[str, str], Location] = {}
    for path in sorted((Path(sources_dir) / "annotations").glob("*.yaml")):
        out.files.append(str(path))
        try:
            data = yamlfile.load(path)
            source = _file_source(data, path, sources)
        except AnnotationError as exc:
            errors.append(exc)
            continue
        for node in data.get("mentions") or []:
            try:
                out.mentions.extend(_mentions(node, source, registry))
            except AnnotationError as exc:
                errors.append(exc)
        for node in data.get("statements") or []:
            try:
                st = _statement(node, source, sources, registry)
            except AnnotationError as exc:
                errors.append(exc)
                continue
            key = (st.source, st.id)
            if key in seen_ids:
                errors.append(AnnotationError(f"statement id {st.id!r} duplicates the one at {seen_ids[key]}"
                                              " (the same statement twice, or an id used twice)",
                                              node.loc("id")))
                continue
            seen_ids[key] = st.location
            out.statements.append(st)
    _check_breakdowns(out.statements, errors)
    if errors:
        raise InputErrors(errors)
    return out


def _file_source(data, path, sources) -> Source:
    if not isinstance(data, dict):
        raise AnnotationError("an annotation file is a mapping with source, mentions, statements",
                              Location(str(path), 1))
    unknown = set(data) - {"source", "mentions", "statements"}
    if unknown:
        raise AnnotationError(f"unknown top-level key(s) {', '.join(sorted(unknown))}",
                              data.loc(sorted(unknown)[0]))
    sid = data.get("source")
    if sid not in sources:
        raise AnnotationError(f"unknown source {sid!r}; known: {', '.join(sources)}", data.loc("source"))
    for key in ("mentions", "statements"):
        if data.get(key) is not None and not isinstance(data[key], list):
            raise AnnotationError("expected a list", data.loc(key))
    return sources[sid]


def _entity_ref(node, key, registry, allowed=None) -> str:
    eid = node.get(key)
    if not isinstance(eid, str) or eid not in registry:
        raise AnnotationError(f"unknown entity id {eid!r} (define it in sources/entities/)", node.loc(key))
    if allowed is not None and registry[eid].cls not in allowed:
        raise AnnotationError(f"{eid} is a {registry[eid].cls}; expected one of {', '.join(sorted(allowed))}",
                              node.loc(key))
    return eid


def _mentions(node, source: Source, registry) -> list[Mention]:
    if not isinstance(node, dict):
        raise AnnotationError("a mention is a mapping {entity, quote, offset?, all?}", None)
    for key in node:
        if key not in MENTION_KEYS:
            raise AnnotationError(f"unknown field; a mention has {', '.join(sorted(MENTION_KEYS))}", node.loc(key))
    eid = _entity_ref(node, "entity", registry)
    quote = node.get("quote")
    if node.get("all"):
        if not isinstance(quote, str) or not quote.strip():
            raise AnnotationError("quote is missing or empty", node.loc("quote"))
        hits = [i for i in _occurrences(source.text, quote) if _word_bounded(source.text, i, len(quote))]
        if not hits:
            raise AnnotationError(f"quote {_short(quote)} is not in the source text as a whole word",
                                  node.loc("quote"))
        return [Mention(source.id, eid, i, i + len(quote), node.loc("quote")) for i in hits]
    start, end = find_quote(source.text, quote, node.get("offset"), node.loc("quote"))
    return [Mention(source.id, eid, start, end, node.loc("quote"))]


def _word_bounded(text: str, start: int, length: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[start + length] if start + length < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def _statement(node, source: Source, sources, registry) -> Statement:
    if not isinstance(node, dict):
        raise AnnotationError("a statement is a mapping {subject, predicate, object|value, quote, ...}", None)
    for key in node:
        if key not in STATEMENT_KEYS:
            raise AnnotationError(f"unknown field; see {README} for the fields of a statement", node.loc(key))
    pname = node.get("predicate")
    if pname not in PREDICATES:
        raise AnnotationError(f"unknown predicate {pname!r}; see {README} for the list", node.loc("predicate"))
    pred = PREDICATES[pname]
    subject = _entity_ref(node, "subject", registry, pred.subjects)
    st = Statement(id="", source=source.id, subject=subject, predicate=pname, location=node.loc(),
                   lines={key: node.loc(key) for key in node})

    if pred.kind == "entity":
        if "value" in node:
            raise AnnotationError(f"{pname} takes an entity: write 'object', not 'value'", node.loc("value"))
        st.object = _entity_ref(node, "object", registry, pred.objects)
    else:
        if "object" in node:
            raise AnnotationError(f"{pname} takes a {pred.kind} 'value', not an 'object'", node.loc("object"))
        if "value" not in node:
            raise AnnotationError(f"{pname} needs a 'value' ({pred.kind})", node.loc("predicate"))
        st.value = _value(node, pred.kind, source.calendar)

    for key in DATE_QUALIFIERS:
        if key in node:
            st.dates[key] = dated(node[key], node.loc(key), source.calendar)
    for key in ENTITY_QUALIFIERS:
        if key in node:
            st.entities[key] = _entity_ref(node, key, registry)
    for key in TEXT_QUALIFIERS:
        if key in node:
            if not isinstance(node[key], str) or not node[key].strip():
                raise AnnotationError("expected non-empty text", node.loc(key))
            st.texts[key] = node[key].strip()
    for key in INTEGER_QUALIFIERS:
        if key in node:
            if isinstance(node[key], bool) or not isinstance(node[key], int) or node[key] < 1:
                raise AnnotationError(f"{key} is a whole number of at least 1", node.loc(key))
            if not pred.membership:
                raise AnnotationError(f"{key} qualifies memberOf or holdsPost only", node.loc(key))
            st.counts[key] = node[key]
    if "role" in node:
        if node["role"] not in ROLES:
            raise AnnotationError(f"unknown role {node['role']!r}; known: {', '.join(ROLES)}", node.loc("role"))
        st.role = node["role"]
    elif pname == "holdsPost":
        raise AnnotationError("holdsPost needs a role (president, secretary, ...)", node.loc("predicate"))
    if "approximate" in node:
        if not isinstance(node["approximate"], bool):
            raise AnnotationError("approximate is true or false", node.loc("approximate"))
        st.approximate = node["approximate"]
        if pred.kind not in ("integer", "share"):
            raise AnnotationError("approximate qualifies a figure; a vague date is a span {after, before}",
                                  node.loc("approximate"))
        st.value = Quantity(**{**st.value.__dict__, "approximate": st.value.approximate or st.approximate})
    if pred.kind == "integer":
        _quantity_qualifiers(node, st, registry)
    elif pred.kind == "share" and "unit" not in st.texts:
        raise AnnotationError("share needs a 'unit' saying of what whole, e.g. \"per cent of the agrarian budget\"",
                              node.loc("predicate"))
    else:
        for key in ("counts", "group", "maximum", "part_of", "breakdown_complete"):
            if key in node:
                raise AnnotationError(f"{key} qualifies a number (numberOfDeputies, count, …), not {pname}",
                                      node.loc(key))
    if "stance" in node:
        if node["stance"] not in STANCES:
            raise AnnotationError(f"unknown stance {node['stance']!r}; known: {', '.join(STANCES)} "
                                  f"(see {README})", node.loc("stance"))
        st.stance = node["stance"]
    if "uncertain" in node:
        if not isinstance(node["uncertain"], str) or not node["uncertain"].strip():
            raise AnnotationError("uncertain says, in words, what the text leaves unclear", node.loc("uncertain"))
        st.uncertain = node["uncertain"].strip()

    _attribution(node, st, registry)
    _evidence(node, st, source)
    st.id = node.get("id") or _statement_id(node)
    if not isinstance(st.id, str) or not SLUG.match(st.id):
        raise AnnotationError(f"{st.id!r} is not a lower-case-hyphenated id", node.loc("id"))
    return st


def _value(node, kind, default_calendar=None):
    raw = node["value"]
    loc = node.loc("value")
    if kind == "date":
        return dated(raw, loc, default_calendar)
    if kind in ("integer", "share"):
        try:
            return parse_quantity(raw, percent=kind == "share")
        except QuantityError as exc:
            raise AnnotationError(f"{exc} (a number is 2000, or a mapping such as "
                                  "{lower: 2000, upper: 3000, written: \"between two and three thousand\"}; "
                                  f"see {README})", loc) from None
    if not isinstance(raw, str) or not raw.strip():
        raise AnnotationError(f"{raw!r} is not text", loc)
    return raw.strip()


def _quantity_qualifiers(node, st: Statement, registry):
    """counts, group, maximum, part_of, breakdown_complete: what a number counts and how it divides."""
    if "counts" in node:
        if node["counts"] not in COUNTED:
            raise AnnotationError(f"unknown counts {node['counts']!r}; known: {', '.join(COUNTED)}",
                                  node.loc("counts"))
        st.counted = node["counts"]
    elif st.predicate == "count":
        raise AnnotationError(f"count needs 'counts' (what is counted: {', '.join(COUNTED)})",
                              node.loc("predicate"))
    else:
        st.counted = DEFAULT_COUNTED.get(st.predicate)
    if "group" in node:
        group = node["group"]
        if not isinstance(group, dict) or set(group) != {"by", "value"}:
            raise AnnotationError("group is {by: party|trade|…, value: <entity-id or words>}", node.loc("group"))
        if group["by"] not in GROUPINGS:
            raise AnnotationError(f"unknown group 'by' {group['by']!r}; known: {', '.join(GROUPINGS)}",
                                  group.loc("by"))
        value = group["value"]
        if not isinstance(value, str) or not value.strip():
            raise AnnotationError("the group's value is an entity id or the words of the text", group.loc("value"))
        st.group_by, st.group, st.group_is_entity = group["by"], value.strip(), value.strip() in registry
    if "maximum" in node:
        if not isinstance(node["maximum"], bool):
            raise AnnotationError("maximum is true or false", node.loc("maximum"))
        st.maximum = node["maximum"]
    if "breakdown_complete" in node:
        raw = node["breakdown_complete"]
        if not isinstance(raw, bool) and raw not in GROUPINGS:
            raise AnnotationError("breakdown_complete is true (every breakdown of this total is complete) or the "
                                  f"grouping whose parts are all of it: {', '.join(GROUPINGS)}",
                                  node.loc("breakdown_complete"))
        st.breakdown_complete = raw
    if "part_of" in node:
        if not isinstance(node["part_of"], str) or not SLUG.match(node["part_of"]):
            raise AnnotationError("part_of is the id of the total's statement (give the total an 'id')",
                                  node.loc("part_of"))
        st.part_of, st.part_of_location = node["part_of"], node.loc("part_of")


def _attribution(node, st: Statement, registry):
    # knowledge the text does not state is nobody's claim in it: not the author's by default
    raw = node.get("attribution", "external" if "external" in node else "author")
    usage = "author, editor, translator, quoted:<agent-id>, or quoted with claimant: \"words\""
    if not isinstance(raw, str):
        raise AnnotationError(f"attribution is {usage}", node.loc("attribution"))
    if raw == "external":
        if "external" not in node:
            raise AnnotationError("attribution external goes with 'external: <basis>' (what the text does not state)",
                                  node.loc("attribution"))
        st.attribution = "external"
        return
    if "external" in node and raw in ("author", "editor", "translator"):
        raise AnnotationError(f"external knowledge is not the {raw}'s claim in the text: leave out 'attribution' "
                              "(or name who claims it elsewhere with quoted:<id>)", node.loc("attribution"))
    if raw.startswith("quoted:"):
        pid = raw.split(":", 1)[1]
        if pid not in registry or registry[pid].cls not in CLAIMANT_CLASSES:
            raise AnnotationError(f"quoted {pid!r} is not a person, organisation or publication in the registry",
                                  node.loc("attribution"))
        st.attribution, st.quoted = "quoted", pid
    elif raw == "quoted":
        if not isinstance(node.get("claimant"), str) or not node["claimant"].strip():
            raise AnnotationError("'attribution: quoted' without an entity needs 'claimant': the words of the "
                                  "text naming who claims it (\"the bourgeois press\")", node.loc("attribution"))
        st.attribution = "quoted"
    elif raw in ("author", "editor", "translator"):
        st.attribution = raw
    else:
        raise AnnotationError(f"unknown attribution {raw!r}: {usage}", node.loc("attribution"))
    if "claimant" in node:
        if raw != "quoted":
            raise AnnotationError("claimant goes with 'attribution: quoted' (an unnamed claimant); "
                                  "a registered one is 'attribution: quoted:<id>'", node.loc("claimant"))
        st.claimant = node["claimant"].strip()


def _evidence(node, st: Statement, source: Source):
    if "external" in node:
        if "quote" in node:
            raise AnnotationError("give either 'quote' (the text says it) or 'external' (it does not)",
                                  node.loc("external"))
        if not isinstance(node["external"], str) or not node["external"].strip():
            raise AnnotationError("external gives the basis of the knowledge (a reference)", node.loc("external"))
        st.external = node["external"].strip()
        return
    if "quote" not in node:
        raise AnnotationError("every statement needs its evidence: 'quote' (or 'external' with a basis)",
                              node.loc())
    start, end = find_quote(source.text, node["quote"], node.get("offset"), node.loc("quote"))
    st.evidence = Evidence(node["quote"], start, end, source.line_of(start))
    for key, d in st.dates.items():
        _check_written(d, st.evidence, node.loc(key))
    if isinstance(st.value, (HistoricalDate, DateSpan, Quantity)):
        _check_written(st.value, st.evidence, node.loc("value"))
    kind = source.editorial_kind(start, end)
    if kind and st.attribution == "author":
        raise AnnotationError(f"this passage was written by the {kind}, not the author: "
                              f"say 'attribution: {kind}'", node.loc("attribution"))
    if not kind and st.attribution in ("editor", "translator"):
        raise AnnotationError(f"this passage is not in a part marked as the {st.attribution}'s "
                              "in sources.yaml", node.loc("attribution"))


def _check_written(d, ev: Evidence, loc: Location):
    what = "figure" if isinstance(d, Quantity) else "date"
    if d.written and d.written not in ev.quote:
        raise AnnotationError(f"the {what} as written, {d.written!r}, is not in the quote", loc)
    if getattr(d, "printed", None) and d.printed not in ev.quote:
        raise AnnotationError(f"the date as printed, {d.printed!r}, is not in the quote", loc)


def _check_breakdowns(statements: list[Statement], errors: list) -> None:
    """Each part_of names a number statement of the same source, and counts what the total counts."""
    by_id = {(st.source, st.id): st for st in statements}
    for st in statements:
        if st.part_of is None:
            continue
        total = by_id.get((st.source, st.part_of))
        loc = st.part_of_location
        if total is None:
            errors.append(AnnotationError(f"part_of {st.part_of!r}: no statement with that id in {st.source} "
                                          "(give the total an 'id')", loc))
        elif total.quantity is None:
            errors.append(AnnotationError(f"part_of {st.part_of!r} is a {total.predicate} statement, not a number",
                                          loc))
        elif total.part_of is not None:
            errors.append(AnnotationError(f"part_of {st.part_of!r} is itself a part; name the total", loc))


def _statement_id(node) -> str:
    """A stable id from the statement's content, so that reordering a file changes no IRI."""
    content = {k: v for k, v in node.items() if k not in ("id",)}
    digest = hashlib.sha1(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return f"{node['subject']}-{node['predicate'].lower()}-{digest[:8]}"
