"""The corpus: source texts, their metadata, and the editorial parts that are not the author's."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import yamlfile
from kg.calendar import CALENDARS, DateError, DateSpan, HistoricalDate, parse_date, parse_span
from kg.errors import Location, SourceError

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ATTRIBUTIONS = ("editor", "translator")


@dataclass
class Span:
    start: int
    end: int
    kind: str      # "editor" or "translator"
    label: str = ""


@dataclass
class Source:
    id: str
    path: Path
    text: str
    title: str
    author: str                     # registry id
    author_basis: str | None        # None when the text names its author; else the external basis
    author_span: tuple[int, int] | None   # where the text names its author
    language: str
    rights: str
    meta: dict                      # the whole metadata entry (a yamlfile.Node)
    calendar: str | None = None     # the calendar of the source's dates unless a date says otherwise
    calendar_basis: str | None = None   # why: the text's own evidence for its calendar
    work: str | None = None         # registry id of the work the document contains
    periodical: str | None = None   # registry id of the periodical it appeared in
    dates: dict = field(default_factory=dict)   # "written"/"published" → HistoricalDate or DateSpan
    editorial: list[Span] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        """1-based line of a character offset."""
        import bisect
        return bisect.bisect_right(self.line_starts, offset)

    def editorial_kind(self, start: int, end: int) -> str | None:
        """'editor' or 'translator' when [start, end) lies in an editorial part, else None."""
        for span in self.editorial:
            if span.start <= start and end <= span.end:
                return span.kind
        return None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _date(node, key, loc, default_calendar=None) -> HistoricalDate | DateSpan | None:
    raw = node.get(key)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SourceError("a date is a mapping {date, calendar, written} or a span {after, before, calendar, written}", loc)
    calendar = raw.get("calendar", default_calendar)
    if default_calendar and calendar != default_calendar and not raw.get("calendar_basis"):
        raise SourceError(f"this date is {calendar}, not the source's {default_calendar}: say why in calendar_basis",
                          loc)
    try:
        # A span of days ("Written on November 2-4") keeps both ends rather than narrowing to its first day.
        if "after" in raw or "before" in raw:
            if "date" in raw:
                raise DateError("a span ({after, before}) has no 'date'")
            return parse_span(raw.get("after"), raw.get("before"), calendar, raw.get("written"),
                              raw.get("calendar_basis"))
        return parse_date(raw.get("date"), calendar, raw.get("written"), basis=raw.get("calendar_basis"))
    except DateError as exc:
        raise SourceError(str(exc), loc) from None


def _calendar_policy(node) -> tuple[str | None, str | None]:
    """`calendar: {default, basis}`: the calendar a source's dates are in, and the text's evidence for it."""
    raw = node.get("calendar")
    if raw is None:
        return None, None
    if not isinstance(raw, dict) or set(raw) != {"default", "basis"}:
        raise SourceError("calendar is {default: julian|gregorian|ambiguous, basis: \"why, from the text\"}",
                          node.loc("calendar"))
    if raw["default"] not in CALENDARS:
        raise SourceError(f"calendar default {raw['default']!r} is not one of {', '.join(CALENDARS)}",
                          raw.loc("default"))
    if not isinstance(raw["basis"], str) or not raw["basis"].strip():
        raise SourceError("the calendar's basis says why, in words", raw.loc("basis"))
    return raw["default"], raw["basis"].strip()


def load_sources(sources_dir) -> dict[str, Source]:
    """Read sources/sources.yaml and every text it names; check each text's SHA-256."""
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise SourceError("no such folder (setting sources_dir)", Location(str(sources_dir)))
    meta_path = sources_dir / "sources.yaml"
    data = yamlfile.load(meta_path)
    if not isinstance(data, list):
        raise SourceError("expected a list of sources", Location(str(meta_path), 1))
    out: dict[str, Source] = {}
    for i, node in enumerate(data, 1):
        if not isinstance(node, yamlfile.Node):
            raise SourceError(f"entry {i} is not a mapping of id, file, sha256, title, …",
                              yamlfile.item_loc(data, i - 1) or Location(str(meta_path)))
        for key in ("id", "file", "sha256", "title", "author", "language", "rights"):
            if not node.get(key):
                raise SourceError("required field is missing", node.loc(key))
            if not isinstance(node[key], str):
                raise SourceError(f"must be text, not {node[key]!r}", node.loc(key))
        sid = node["id"]
        if not SLUG.match(sid):
            raise SourceError(f"{sid!r} is not a lower-case-hyphenated id", node.loc("id"))
        if sid in out:
            raise SourceError(f"source id {sid!r} is given twice", node.loc("id"))
        path = sources_dir / node["file"]
        if not path.is_file():
            raise SourceError(f"no such file {path}", node.loc("file"))
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != node["sha256"]:
            raise SourceError(f"{path.name} has changed (sha256 {digest}); source texts are never edited",
                              node.loc("sha256"))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{path.name} is not UTF-8 (byte {exc.start})", node.loc("file")) from None
        src = Source(id=sid, path=path, text=text, title=node["title"], author=node["author"],
                     author_basis=node.get("author_basis"), author_span=None, language=node["language"],
                     rights=node["rights"], meta=node, line_starts=_line_starts(text))
        src.calendar, src.calendar_basis = _calendar_policy(node)
        for key in ("work", "periodical"):
            if node.get(key) is not None:
                if not isinstance(node[key], str) or not SLUG.match(node[key]):
                    raise SourceError(f"{key} is the registry id of an entity", node.loc(key))
                setattr(src, key, node[key])
        for key in ("written", "published"):
            d = _date(node, key, node.loc(key), src.calendar)
            if d:
                src.dates[key] = d
        quote = node.get("author_quote")
        for key in ("author_quote", "author_basis", "publication", "translation"):
            if node.get(key) is not None and not isinstance(node[key], str):
                raise SourceError(f"must be text, not {node[key]!r}", node.loc(key))
        if bool(quote) == bool(node.get("author_basis")):
            raise SourceError("give author_quote (the words naming the author) or, when the text does not "
                              "name them, author_basis (where the attribution comes from)", node.loc("author"))
        if quote:
            if text.count(quote) != 1:
                raise SourceError(f"author_quote {quote!r} must occur exactly once in the text",
                                  node.loc("author_quote"))
            start = text.index(quote)
            src.author_span = (start, start + len(quote))
        src.editorial = [_span(src, part, meta_path) for part in node.get("editorial") or []]
        out[sid] = src
    return out


def _span(src: Source, part, meta_path) -> Span:
    if not isinstance(part, yamlfile.Node):
        raise SourceError("each editorial part is a mapping {lines|quote, by, label}", Location(str(meta_path)))
    kind = part.get("by")
    if kind not in ATTRIBUTIONS:
        raise SourceError(f"'by' must be one of {ATTRIBUTIONS}", part.loc("by"))
    if "lines" in part:
        lines = part["lines"]
        if not (isinstance(lines, list) and len(lines) == 2 and all(type(n) is int for n in lines)):
            raise SourceError("lines is [first, last], two line numbers", part.loc("lines"))
        first, last = lines
        if not (1 <= first <= last <= len(src.line_starts)):
            raise SourceError(f"lines {first}-{last} are outside the text", part.loc("lines"))
        start = src.line_starts[first - 1]
        end = src.line_starts[last] - 1 if last < len(src.line_starts) else len(src.text)
        return Span(start, end, kind, part.get("label", ""))
    quote = part.get("quote")
    if not quote or src.text.count(quote) != 1:
        raise SourceError("an editorial part needs 'lines: [first, last]' or a 'quote' found exactly once",
                          part.loc("quote"))
    start = src.text.index(quote)
    return Span(start, start + len(quote), kind, part.get("label", ""))
