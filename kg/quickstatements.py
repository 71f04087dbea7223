"""`kg export quickstatements`: our sourced statements about linked entities, for Wikidata.

QuickStatements v1 (https://www.wikidata.org/wiki/Help:QuickStatements): one command a line,
tab-separated: item, property, value, then qualifier pairs (`P…`, value), then reference pairs
(`S…`, value). A time is `+1905-10-13T00:00:00Z/11`: the date as the source writes it, then
Wikidata's precision (9 year, 10 month, 11 day), then `/J` when its calendar model is the
Julian one (wd:Q1985786; without it, Gregorian wd:Q1985727). Monolingual text is `en:"…"`,
a string `"…"`.

Only what we can stand behind goes out: statements a source states in its own voice (its
author or editor: not a claim it quotes, not a translator's note, not one marked uncertain, not
external knowledge) as a fact, a decision or an act (stance asserts, decides or enacts: not a charge,
a proposal, a demand, a hope or a denial), whose subject, and object when the value is an
entity, are linked to Wikidata. A vague span has no Wikidata time value and stays out.
Each carries its reference: S854 (reference URL) our source document and S1683 (quotation)
the exact words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kg.calendar import AMBIGUOUS, DAY, JULIAN, SPAN, WIKIDATA_PRECISION, DateSpan, HistoricalDate
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.vocabulary import CLASSES, EVENT_CLASSES, FACT_STANCES, ORGANISATION_CLASSES, PLACE_CLASSES

# Wikidata's limit on the length of a string or monolingual text value.
MAX_TEXT = 1500
DATE_PROPERTIES = {"founded": "P571", "dissolved": "P576", "born": "P569", "died": "P570",
                   "date": "P585", "startDate": "P580", "endDate": "P582"}
QUALIFIER_PROPERTIES = {"when": "P585", "start": "P580", "end": "P582"}
PUBLICATIONS = set(CLASSES["publications"])
PARTIES = {"Party", "Faction"}
CHAIR_ROLES = {"president", "chairman"}


@dataclass
class Export:
    lines: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)    # reason → statements

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def qs_time(d: HistoricalDate | DateSpan) -> str | None:
    """A date in QuickStatements v1 syntax, in its own calendar; None for a day of unknown calendar
    or a vague span."""
    if d.precision == SPAN or (d.calendar == AMBIGUOUS and d.precision == DAY):
        return None
    parts = list(d.parts) + [0] * (3 - len(d.parts))
    out = f"+{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}T00:00:00Z/{WIKIDATA_PRECISION[d.precision]}"
    return out + "/J" if d.calendar == JULIAN else out


def qs_text(text: str, language: str | None = None) -> str:
    """A string (or monolingual text) value: one line, no tabs, within Wikidata's length limit."""
    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1].rsplit(" ", 1)[0] + "…"
    return f'{language}:"{text}"' if language else f'"{text}"'


def export_quickstatements(config) -> Export:
    """Every exportable statement of the corpus as QuickStatements v1 lines, sorted, deduplicated."""
    corpus = load_corpus(config.sources_dir)
    reg, iris = corpus.registry, Iris(config.base_iri)
    qid = {eid: e.wikidata for eid, e in reg.items() if e.wikidata}
    out = Export()
    lines = set()
    for st in corpus.annotations.statements:
        reason = _unsayable(st)
        claim = None if reason else _claim(st, reg, qid)
        if isinstance(claim, str):
            reason, claim = claim, None
        if reason:
            out.skipped[reason] += 1
            continue
        qualifiers = _qualifiers(st, qid)
        if qualifiers is None:
            out.skipped["a date of unknown calendar"] += 1
            continue
        src = corpus.sources[st.source]
        reference = ["S854", qs_text(str(iris.source(src.id))), "S1683", qs_text(st.evidence.quote, src.language)]
        lines.add("\t".join([*claim, *qualifiers, *reference]))
    out.lines = sorted(lines, key=lambda l: (int(l.split("\t")[0][1:]), l))
    return out


def _qualifiers(st, qid) -> list[str] | None:
    """Qualifier pairs: dates (None if one has no calendar) and the place, when it is linked."""
    cells = []
    for key, pid in QUALIFIER_PROPERTIES.items():
        if key in st.dates:
            t = qs_time(st.dates[key])
            if t is None:
                return None
            cells += [pid, t]
    place = st.entities.get("place")
    if place in qid:
        cells += ["P276", qid[place]]
    return cells


def _unsayable(st) -> str | None:
    if st.external or st.evidence is None:
        return "rests on external knowledge"
    if st.attribution == "quoted":
        return "a claim the source quotes"
    if st.attribution == "translator":
        # Wikidata gets the author's and the editor's statements; a translator's note is a later gloss
        return "a translator's note"
    if st.stance not in FACT_STANCES:
        return f"stance {st.stance}, not a fact, decision or act"
    if st.uncertain:
        return "marked uncertain"
    return None


def _claim(st, reg, qid):
    """(item, property, value) for a statement, or a reason it has no Wikidata form."""
    if st.subject not in qid:
        return "subject not linked"
    s_cls = reg[st.subject].cls
    p = st.predicate
    if p in DATE_PROPERTIES:
        t = qs_time(st.value)
        if t is None:
            return "a vague span" if st.value.precision == SPAN else "a date of unknown calendar"
        prop = "P577" if p == "date" and s_cls in PUBLICATIONS else DATE_PROPERTIES[p]
        return qid[st.subject], prop, t
    if st.object is None:
        return "no Wikidata property"
    o_cls = reg[st.object].cls
    if p == "memberOf" and s_cls == "Person" and o_cls in PARTIES:
        triple = (st.subject, "P102", st.object)
    elif p == "holdsPost" and st.role in CHAIR_ROLES:
        triple = (st.object, "P488", st.subject)
    elif p == "participatedIn":
        triple = (st.object, "P710", st.subject)
    elif p == "locatedIn" and s_cls in EVENT_CLASSES:
        triple = (st.subject, "P276", st.object)
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
