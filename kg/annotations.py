"""Annotation files → checked records: mentions and statements anchored to exact passages.

Every file in `sources/annotations/` names its `source:` and lists `mentions:` and
`statements:` (format and worked example: sources/README.md). Each evidence quote is
checked against the text: at its `offset` when given, otherwise it must occur exactly once.
All errors of a pass are collected and reported together with file, line and field; the
fields of one statement are read by kg.statement_fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import yamlfile
from kg.calendar import DateSpan, HistoricalDate
from kg.errors import AnnotationError, InputErrors, Location
from kg.quantity import Quantity
from kg.registry import Entity
from kg.sources import SLUG, Source
from kg.statement_ids import ASSIGN_COMMAND, POLICY_FILE, RESERVED_IDS, IdPolicy, Retired, check_ids, \
    content_id, load_policy
from kg.statement_fields import README, attribution, entity_ref, parse_value, qualifiers
from kg.vocabulary import PREDICATES, QUALIFIERS

STATEMENT_KEYS = {"id", "supersedes", "subject", "predicate", "object", "value", "quote", "offset", "attribution",
                  "external"} | set(QUALIFIERS)
MENTION_KEYS = {"entity", "quote", "offset", "all"}


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
    texts: dict[str, str] = field(default_factory=dict)              # unit/note/effect/issue
    concerns: list[str] = field(default_factory=list)                # bodies or persons a proposal… is about
    clauses: dict[str, list[str]] = field(default_factory=dict)      # purpose/condition, the source's words
    counts: dict[str, int] = field(default_factory=dict)             # seats, anniversary (INTEGER_QUALIFIERS)
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
    supersedes: list[str] = field(default_factory=list)   # ids of removed statements whose IRIs now lead here
    lines: dict[str, Location] = field(default_factory=dict)   # field → where it is written

    @property
    def quantity(self) -> Quantity | None:
        return self.value if isinstance(self.value, Quantity) else None


@dataclass
class Annotations:
    mentions: list[Mention] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    retired: list[Retired] = field(default_factory=list)    # ids of removed statements, with the reason


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
    try:
        policy = load_policy(sources_dir, sources)
    except AnnotationError as exc:
        errors.append(exc)
        policy = IdPolicy()
    except InputErrors as exc:
        errors.extend(exc.errors)
        policy = IdPolicy()
    out.retired = policy.retired
    for path in sorted((Path(sources_dir) / "annotations").glob("*.yaml")):
        out.files.append(str(path))
        try:
            data = yamlfile.load(path)
            source = _file_source(data, path, sources)
        except AnnotationError as exc:
            errors.append(exc)
            continue
        mentions = data.get("mentions") or []
        for i, node in enumerate(mentions):
            try:
                out.mentions.extend(_mentions(node, source, registry))
            except AnnotationError as exc:
                errors.append(yamlfile.placed(exc, mentions, i))
        statements = data.get("statements") or []
        for i, node in enumerate(statements):
            try:
                st = _statement(node, source, sources, registry, policy.required)
            except AnnotationError as exc:
                errors.append(yamlfile.placed(exc, statements, i))
                continue
            key = (st.source, st.id)
            if key in seen_ids:
                errors.append(AnnotationError(f"statement id {st.id!r} duplicates the one at {seen_ids[key]}"
                                              " (the same statement twice, or an id used twice: delete this "
                                              f"id line and run `{ASSIGN_COMMAND}` for a new one)",
                                              node.loc("id")))
                continue
            seen_ids[key] = st.location
            out.statements.append(st)
    _check_breakdowns(out.statements, errors)
    check_ids(out.statements, policy, errors)
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


def _mentions(node, source: Source, registry) -> list[Mention]:
    if not isinstance(node, dict):
        raise AnnotationError("a mention is a mapping {entity, quote, offset?, all?}", None)
    for key in node:
        if key not in MENTION_KEYS:
            raise AnnotationError(f"unknown field; a mention has {', '.join(sorted(MENTION_KEYS))}", node.loc(key))
    eid = entity_ref(node, "entity", registry)
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


def _statement(node, source: Source, sources, registry, ids_required: bool = False) -> Statement:
    if not isinstance(node, dict):
        raise AnnotationError("a statement is a mapping {subject, predicate, object|value, quote, ...}", None)
    for key in node:
        if key not in STATEMENT_KEYS:
            raise AnnotationError(f"unknown field; see {README} for the fields of a statement", node.loc(key))
    pname = node.get("predicate")
    if pname not in PREDICATES:
        raise AnnotationError(f"unknown predicate {pname!r}; see {README} for the list", node.loc("predicate"))
    pred = PREDICATES[pname]
    subject = entity_ref(node, "subject", registry, pred.subjects)
    st = Statement(id="", source=source.id, subject=subject, predicate=pname, location=node.loc(),
                   lines={key: node.loc(key) for key in node})

    if pred.kind == "entity":
        if "value" in node:
            raise AnnotationError(f"{pname} takes an entity: write 'object', not 'value'", node.loc("value"))
        st.object = entity_ref(node, "object", registry, pred.objects)
    else:
        if "object" in node:
            raise AnnotationError(f"{pname} takes a {pred.kind} 'value', not an 'object'", node.loc("object"))
        if "value" not in node:
            raise AnnotationError(f"{pname} needs a 'value' ({pred.kind})", node.loc("predicate"))
        st.value = parse_value(node, pred.kind, source.calendar)

    qualifiers(node, st, pred, registry, source.calendar)
    attribution(node, st, registry)
    _evidence(node, st, source)
    st.id, st.supersedes = _ids(node, ids_required)
    return st


def _ids(node, required: bool) -> tuple[str, list[str]]:
    """The statement's permanent id (kg.statement_ids) and the ids of removed statements it supersedes."""
    if "id" not in node:
        if required:
            raise AnnotationError(f"this statement has no id; run `{ASSIGN_COMMAND}` to write its permanent id "
                                  f"(ids are required: {POLICY_FILE})", node.loc("id"))
        if "supersedes" in node:
            raise AnnotationError(f"a statement that supersedes others needs its own id; run `{ASSIGN_COMMAND}`",
                                  node.loc("supersedes"))
        return content_id(node), []
    sid = node["id"]
    if not isinstance(sid, str) or not SLUG.match(sid):
        raise AnnotationError(f"{sid!r} is not a lower-case-hyphenated id", node.loc("id"))
    if sid in RESERVED_IDS:
        raise AnnotationError(f"{sid!r} is reserved for the statement of a source's author", node.loc("id"))
    old = node.get("supersedes", [])
    old = [old] if isinstance(old, str) else old
    if not isinstance(old, list) or not all(isinstance(o, str) and SLUG.match(o) for o in old):
        raise AnnotationError("supersedes is a list of the ids of removed statements", node.loc("supersedes"))
    if sid in old or len(set(old)) < len(old):
        raise AnnotationError("supersedes lists each removed statement's id once, never the statement's own",
                              node.loc("supersedes"))
    return sid, old


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
    for key, words in st.clauses.items():
        for text in words:
            if text not in st.evidence.quote:
                raise AnnotationError(f"the {key} {_short(text)} is not in the quote: give the source's words",
                                      node.loc(key))
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
