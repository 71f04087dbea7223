"""`kg export quickstatements`: our sourced statements about linked entities, for Wikidata.

QuickStatements v1 (https://www.wikidata.org/wiki/Help:QuickStatements): one command a line,
tab-separated: item, property, value, then qualifier pairs (`P…`, value), then reference pairs
(`S…`, value). A time is `+1905-10-13T00:00:00Z/11`: the date as the source writes it, then
Wikidata's precision (9 year, 10 month, 11 day), then `/J` when its calendar model is the
Julian one (wd:Q1985786; without it, Gregorian wd:Q1985727). Monolingual text is `en:"…"`,
a string `"…"`.

A wrong statement in Wikidata is worse than a missing one, because others copy it. So only
what the source itself asserts about exactly that item goes out:

- the source's own voice: stance asserts, decides or enacts (no stance means asserts), not a
  claim it quotes or reports, not a polemic, a proposal, a demand, a hope or a denial, not one
  marked uncertain, not external knowledge;
- the author's words, cited as the source document; an editor's or translator's note only
  cited as that note of that edition (S958 names both), never as the author's text;
- only exact links (skos:exactMatch) at both ends, and no stand-ins: a government does not
  take part in a war in its country's place, and a country is no party's headquarters;
- no qualifier that adds nothing (a point in time on a party membership), no value given twice
  (the same day in two calendars, or a month or year already given as a day), no point in time
  beside a start or end of the same item, and no month or day whose calendar the text leaves open.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from kg.calendar import AMBIGUOUS, GREGORIAN, JULIAN, WIKIDATA_PRECISION, YEAR, HistoricalDate
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.vocabulary import CLASSES, CONTENT_CONDITION_PREDICATES, EVENT_CLASSES, ORGANISATION_CLASSES, PLACE_CLASSES

# Wikidata's limit on the length of a string or monolingual text value.
MAX_TEXT = 1500
DATE_PROPERTIES = {"founded": "P571", "dissolved": "P576", "born": "P569", "died": "P570",
                   "date": "P585", "startDate": "P580", "endDate": "P582"}
QUALIFIER_PROPERTIES = {"when": "P585", "start": "P580", "end": "P582"}
PUBLICATIONS = set(CLASSES["publications"])
CHAIR_ROLES = {"president", "chairman"}
# The stances (issue 10's annotation model) in which a source makes a claim its own.
OWN_VOICE = {"asserts", "decides", "enacts"}
# A headquarters (P159) is a settlement or a building, never a country or a region.
HEADQUARTERS = {"City", "Place"}
# Qualifiers a property's statements do without: a membership has start and end, not a point in time.
# a point in time adds nothing to a party membership, nor to a participant of an event, which
# has its own dates (and a point in a war of years reads as the whole participation)
IDLE_QUALIFIERS = {"P102": {"P585"}, "P710": {"P585"}}
# Russia kept the Julian calendar until 1 (14) February 1918: before it, of two calendars
# giving one day, the export keeps the Julian one, the calendar of the time and place.
GREGORIAN_IN_RUSSIA = date(1918, 2, 14)
NOTE_NUMBER = re.compile(r"^\[(\d+)\]", re.M)


@dataclass
class Export:
    lines: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)    # reason → statements

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


@dataclass
class _Line:
    claim: tuple[str, str, str]           # item, property, value
    qualifiers: list[str]
    reference: list[str]
    when: HistoricalDate | None = None     # the value, when it is a date

    def text(self) -> str:
        return "\t".join([*self.claim, *self.qualifiers, *self.reference])


def qs_time(d: HistoricalDate) -> str | None:
    """A date in QuickStatements v1 syntax, in its own calendar; None for a month or day of
    unknown calendar (only a year reads the same in both, near enough for year precision)
    and for anything Wikidata cannot hold as one time value (a span between two dates)."""
    if _date_refused(d):
        return None
    parts = list(d.parts) + [0] * (3 - len(d.parts))
    out = f"+{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}T00:00:00Z/{WIKIDATA_PRECISION[d.precision]}"
    return out + "/J" if d.calendar == JULIAN else out


def _date_refused(d: HistoricalDate) -> str | None:
    """Why a date cannot go to Wikidata as it stands, or None."""
    if getattr(d, "precision", None) not in WIKIDATA_PRECISION:
        return "a span of dates, not one date"
    if d.calendar == AMBIGUOUS and d.precision != YEAR:
        return "a month or day of unknown calendar"
    return None


def qs_text(text: str, language: str | None = None) -> str:
    """A string (or monolingual text) value: one line, no tabs, within Wikidata's length limit."""
    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1].rsplit(" ", 1)[0] + "…"
    return f'{language}:"{text}"' if language else f'"{text}"'


def export_quickstatements(config) -> Export:
    """Every exportable statement of the corpus as QuickStatements v1 lines, sorted, deduplicated."""
    return export_corpus(load_corpus(config.sources_dir), Iris(config.base_iri))


def export_corpus(corpus, iris: Iris) -> Export:
    """The export of a loaded corpus (its statements may be any annotation records)."""
    reg = corpus.registry
    qid = {eid: e.wikidata for eid, e in reg.items() if e.wikidata}
    out = Export()
    candidates: list[_Line] = []
    for st in corpus.annotations.statements:
        src = corpus.sources[st.source]
        reason = _unsayable(st)
        reference = None if reason else _reference(st, src, iris)
        if isinstance(reference, str):
            reason = reference
        claim = None if reason else _claim(st, reg, qid)
        if isinstance(claim, str):
            reason = claim
        qualifiers = None if reason else _qualifiers(st, qid, claim[1])
        if isinstance(qualifiers, str):
            reason = qualifiers
        if reason:
            out.skipped[reason] += 1
            continue
        when = st.value if st.predicate in DATE_PROPERTIES else None
        candidates.append(_Line(claim, qualifiers, reference, when))
    lines = set()
    for line in _spans_over_points(_once(candidates, out.skipped), out.skipped):
        lines.add(line.text())
    out.lines = sorted(lines, key=lambda l: (int(l.split("\t")[0][1:]), l))
    return out


def _unsayable(st) -> str | None:
    """Why a statement is not the source's own claim, or None when it is."""
    if st.external or st.evidence is None:
        return "rests on external knowledge"
    stance = str(getattr(st, "stance", None) or "asserts").lower()
    if stance not in OWN_VOICE:
        return f"stance {stance}, not the source's own assertion"
    if str(st.attribution).startswith("quoted"):
        return "a claim the source quotes"
    if st.uncertain:
        return "marked uncertain"
    if getattr(st, "clauses", {}).get("condition"):
        if st.predicate in CONTENT_CONDITION_PREDICATES:
            return f"what it {st.predicate} holds only under a condition"
        return "holds only under a condition"
    return None


def _reference(st, src, iris: Iris) -> list[str] | str:
    """The reference pairs: the source document and its words, or, for an editor's or a
    translator's note, that note of that edition; a reason when the note cannot be cited."""
    quote = ["S1683", qs_text(st.evidence.quote, src.language)]
    if st.attribution not in ("editor", "translator"):
        return ["S854", qs_text(str(iris.source(src.id))), *quote]
    found = [(i, s) for i, s in enumerate(src.editorial, 1)
             if s.start <= st.evidence.start and st.evidence.end <= s.end]
    edition = src.meta.get("translation" if st.attribution == "translator" else "publication")
    if not found or not edition:
        article = "an" if st.attribution == "editor" else "a"
        return f"{article} {st.attribution}'s note whose edition the source metadata does not give"
    i, span = found[0]
    number = NOTE_NUMBER.findall(src.text, span.start, st.evidence.start)
    if number:
        note = f"{st.attribution}'s note [{number[-1]}]"
    elif span.label:
        note = f"{st.attribution}'s {span.label}"
    else:
        note = f"{st.attribution}'s note “{' '.join(src.text[span.start:span.end].split())[:60]}”"
    part = iris.part(iris.source(src.id), f"editorial-{i}")
    return ["S958", qs_text(f"{note}, in: {edition}"), "S854", qs_text(str(part)), *quote]


def _claim(st, reg, qid):
    """(item, property, value) for a statement, or a reason it has no Wikidata form."""
    if st.subject not in qid:
        return "subject not linked"
    s_cls = reg[st.subject].cls
    p = st.predicate
    if p in DATE_PROPERTIES:
        t = qs_time(st.value)
        if t is None:
            return _date_refused(st.value)
        prop = "P577" if p == "date" and s_cls in PUBLICATIONS else DATE_PROPERTIES[p]
        return qid[st.subject], prop, t
    if st.object is None:
        return "no Wikidata property"
    o_cls = reg[st.object].cls
    if p == "memberOf" and s_cls == "Person" and o_cls == "Faction":
        return "a faction is no political party (P102)"
    if p == "memberOf" and s_cls == "Person" and o_cls == "Party":
        triple = (st.subject, "P102", st.object)
    elif p == "holdsPost" and st.role in CHAIR_ROLES:
        triple = (st.object, "P488", st.subject)
    elif p == "participatedIn" and s_cls == "Government" and o_cls == "War":
        return "a government standing for its country in a war"
    elif p == "participatedIn":
        triple = (st.object, "P710", st.subject)
    elif p == "locatedIn" and s_cls in EVENT_CLASSES:
        triple = (st.subject, "P276", st.object)
    elif p == "locatedIn" and s_cls in ORGANISATION_CLASSES and o_cls not in HEADQUARTERS:
        return "a country or region is no headquarters"
    elif p == "locatedIn" and s_cls in ORGANISATION_CLASSES:
        triple = (st.subject, "P159", st.object)
    elif p == "locatedIn" and s_cls in PLACE_CLASSES:
        triple = (st.subject, "P131", st.object)
    elif p == "author":
        triple = (st.subject, "P50", st.object)
    elif p == "publishedIn":
        triple = (st.subject, "P1433", st.object)
    else:
        return "no Wikidata property"
    if st.object not in qid:
        return "object not linked"
    return qid[triple[0]], triple[1], qid[triple[2]]


def _qualifiers(st, qid, prop: str) -> list[str] | str:
    """Qualifier pairs: dates and the place, when it is linked; a reason when a date cannot go."""
    cells = []
    for key, pid in QUALIFIER_PROPERTIES.items():
        if key in st.dates and pid not in IDLE_QUALIFIERS.get(prop, ()):
            t = qs_time(st.dates[key])
            if t is None:
                return _date_refused(st.dates[key])
            cells += [pid, t]
    place = st.entities.get("place")
    if place in qid:
        cells += ["P276", qid[place]]
    return cells


def _once(lines: list[_Line], skipped: Counter) -> list[_Line]:
    """Each date once: of one item's values of one property (same qualifiers), drop a value that
    a more precise one lies within, and of one day in two calendars keep the calendar of its
    time (Julian in Russia before February 1918)."""
    groups: dict[tuple, list[_Line]] = {}
    kept = []
    for line in lines:
        if line.when is None:
            kept.append(line)
        else:
            groups.setdefault((line.claim[0], line.claim[1], tuple(line.qualifiers)), []).append(line)
    for group in groups.values():
        for line in group:
            d = line.when
            finer = [o.when for o in group if o.when.earliest >= d.earliest and o.when.latest <= d.latest
                     and (o.when.latest - o.when.earliest) < (d.latest - d.earliest)]
            if finer:
                skipped["a date already given more precisely"] += 1
                continue
            if any(o.when.earliest == d.earliest and o.when.latest == d.latest and o.when.calendar != d.calendar
                   and _preferred(o.when) and not _preferred(d) for o in group):
                skipped["the same date in the other calendar"] += 1
                continue
            kept.append(line)
    return kept


def _spans_over_points(lines: list[_Line], skipped: Counter) -> list[_Line]:
    """No point in time (P585) on an item the export gives a start or an end (P580, P582): a
    revolution of 1905-1907 "in 1905" would read as a thing of one moment."""
    spanned = {l.claim[0] for l in lines if l.claim[1] in ("P580", "P582")}
    kept = []
    for line in lines:
        if line.claim[1] == "P585" and line.claim[0] in spanned:
            skipped["a point in time of an item with a start or end"] += 1
        else:
            kept.append(line)
    return kept


def _preferred(d: HistoricalDate) -> bool:
    """Of one day in both calendars, is this the one to keep?"""
    return d.calendar == (JULIAN if d.earliest < GREGORIAN_IN_RUSSIA else GREGORIAN)
