"""How a Wikidata item is scored as a candidate for an entity: names, type and dates.

Names are compared with difflib's SequenceMatcher after normalisation (case, accents,
punctuation), also over sorted words; the type is Wikidata's instance-of (P31/P279*) against
kg/wikidata.py's TYPE_RULES; dates are years, from our statements and Wikidata's truthy values.
A wrong type or a conflict of dates rejects a candidate outright: a wrong link is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from kg.vocabulary import CLASSES
from kg.wikidata import TYPE_RULES, TYPES, Item, normalise

KIND = {**{c: "person" for c in CLASSES["persons"]}, **{c: "place" for c in CLASSES["places"]},
        **{c: "event" for c in CLASSES["events"]}}     # anything else: "body" (inception, dissolution)
MIN_LABEL_SIMILARITY = 0.5


def similarity(a: str, b: str) -> float:
    """Similarity of two names from 0 to 1: difflib's ratio, also over their sorted words."""
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    plain = SequenceMatcher(None, a, b).ratio()
    words = SequenceMatcher(None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))).ratio()
    return max(plain, words)


def our_names(entity) -> list[tuple[str, float]]:
    """An entity's names to match, with how much a match on each counts: the label and aliases
    fully; the label without its parenthesis, and the parenthesis itself, at 0.85, since a
    parenthesis often tells two things of one name apart ('Moscow Soviet (1905)')."""
    bare = re.sub(r"\s*\([^)]*\)", "", entity.label).strip()
    inner = [p.strip() for group in re.findall(r"\(([^)]*)\)", entity.label) for p in group.split(",")]
    names = [(entity.label, 1.0), *((a, 1.0) for a in entity.aliases), (bare, 0.85),
             *((p, 0.85) for p in inner if p and not p[0].isdigit())]
    seen, out = set(), []
    for name, weight in names:
        if name and normalise(name) not in seen:
            seen.add(normalise(name))
            out.append((name, weight))
    return out


def search_terms(entity, most: int = 3) -> list[str]:
    """What to type into the search: the bare label, then the longest distinct aliases."""
    bare = re.sub(r"\s*\([^)]*\)", "", entity.label).strip() or entity.label
    rest = sorted((n for n, _ in our_names(entity) if normalise(n) != normalise(bare) and n != entity.label),
                  key=lambda n: (-len(n), n))
    return [bare] + rest[:most - 1]


@dataclass
class Dates:
    """Years our corpus gives for an entity: its life or existence, and when it was active."""

    first: int | None = None      # earliest year of a dated statement about it (birth/death aside)
    last: int | None = None
    born: int | None = None
    died: int | None = None
    founded: int | None = None
    dissolved: int | None = None

    def seen(self, year: int) -> None:
        self.first = year if self.first is None else min(self.first, year)
        self.last = year if self.last is None else max(self.last, year)


@dataclass
class Candidate:
    """One item proposed for one entity, with the reasons for its confidence."""

    entity: object
    item: Item
    label_score: float
    matched: tuple[str, str]
    type_ok: bool | None
    date_score: float
    notes: list[str]
    confidence: float = 0.0
    rejected: str | None = None       # why it was dropped, in words
    reject_kind: str | None = None    # "not on Wikidata", "names too different", "wrong type", "dates conflict"

    def reject(self, kind: str, why: str) -> "Candidate":
        self.reject_kind, self.rejected = kind, why
        self.notes.append(why)
        return self

    @property
    def justification(self) -> str:
        lexical_only = self.type_ok is None and self.date_score == 0.5
        return "semapv:LexicalMatching" if lexical_only else "semapv:CompositeMatching"


def score(entity, dates: Dates, item: Item) -> Candidate:
    """Score one candidate: label and alias similarity, type, dates; a hard conflict rejects it.

    confidence = label × (0.6 + 0.25·type + 0.15·dates), where type is 1 when the item is an
    instance of an expected class (0 when Wikidata gives no class at all) and dates is 1 when
    our dates were checked against Wikidata's, 0.5 when there was nothing to compare.
    """
    pairs = [(ours, theirs, weight * similarity(ours, theirs)) for ours, weight in our_names(entity)
             for theirs in [item.label or "", *item.aliases]]
    if entity.label_ru and item.label_ru:
        pairs.append((entity.label_ru, item.label_ru, similarity(entity.label_ru, item.label_ru)))
    ours, theirs, label_score = max(pairs, key=lambda p: p[2], default=("", "", 0.0))
    cand = Candidate(entity, item, round(label_score, 3), (ours, theirs), None, 0.5, [])
    cand.notes.append(f"name {ours!r} ~ {theirs!r} ({label_score:.2f})")
    if not item.exists or item.redirect:
        return cand.reject("not on Wikidata", f"merged into {item.redirect}" if item.redirect
                           else "not on Wikidata")
    if label_score < MIN_LABEL_SIMILARITY:
        return cand.reject("names too different", "names too different")
    expected = TYPE_RULES.get(entity.cls, ())
    if expected and item.types & set(expected):
        cand.type_ok = True
        cand.notes.append("is a " + ", ".join(f"{TYPES[t]} ({t})" for t in expected if t in item.types))
    elif expected and item.has_class:
        cand.type_ok = False
        return cand.reject("wrong type", "not a " + " or ".join(f"{TYPES[t]} ({t})" for t in expected))
    else:
        cand.notes.append("no class on Wikidata")
    conflict, checked = _dates(KIND.get(entity.cls, "body"), dates, item.years)
    if conflict:
        return cand.reject("dates conflict", conflict)
    if checked:
        cand.date_score = 1.0
        cand.notes.append("dates agree: " + "; ".join(checked))
    else:
        cand.notes.append("no dates to compare")
    cand.confidence = round(label_score * (0.6 + 0.25 * bool(cand.type_ok) + 0.15 * cand.date_score), 2)
    return cand


def _dates(kind: str, ours: Dates, theirs: dict[str, int]) -> tuple[str | None, list[str]]:
    """(a conflict, or None; the comparisons that agreed). Years, with a year's slack for calendars;
    a person must be about ten at the first date we have of them."""
    rules: list[tuple[bool, str, str]] = []     # (agrees, said if it does, said if it does not)
    first, last = ours.first, ours.last

    def same(our_year, key, what):
        if our_year is not None and key in theirs:
            rules.append((abs(our_year - theirs[key]) <= 1, f"{what} {theirs[key]}",
                          f"{what} {theirs[key]} on Wikidata, {our_year} in our sources"))

    if kind == "person":
        same(ours.born, "born", "born")
        same(ours.died, "died", "died")
        if first is not None and "born" in theirs:
            b = theirs["born"]
            rules.append((b <= first - 10, f"born {b}, before our {first}",
                          f"born {b} on Wikidata: too late for our dates from {first}"))
        if last is not None and "died" in theirs:
            d = theirs["died"]
            rules.append((d >= last - 1, f"died {d}, after our {last}",
                          f"died {d} on Wikidata: before our dates up to {last}"))
    elif kind == "event":
        start = min((theirs[k] for k in ("point", "start") if k in theirs), default=None)
        end = max((theirs[k] for k in ("point", "end") if k in theirs), default=start)
        if start is not None and first is not None:
            rules.append((start - 1 <= last and first <= end + 1, f"happened {start}–{end}",
                          f"happened {start}–{end} on Wikidata, our dates are {first}–{last}"))
    else:
        same(ours.founded, "inception", "founded")
        same(ours.dissolved, "dissolved", "dissolved")
        if first is not None and "inception" in theirs:
            i = theirs["inception"]
            rules.append((i <= first + 1, f"founded {i}",
                          f"founded {i} on Wikidata: after our dates from {first}"))
        d = theirs.get("dissolved")
        if d is not None and kind == "place" and first is not None:     # a place need only have existed
            rules.append((d >= first - 1, f"existed until {d}",
                          f"ceased to exist in {d} on Wikidata, before our dates from {first}"))
        elif d is not None and kind != "place" and last is not None:
            rules.append((d >= last - 1, f"dissolved {d}",
                          f"dissolved {d} on Wikidata: before our dates up to {last}"))
    for agrees, _, conflict in rules:
        if not agrees:
            return conflict, []
    return None, [said for _, said, _ in rules]


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Accepted candidates best first; near-equal leaders are marked ambiguous and lowered."""
    kept = sorted((c for c in candidates if not c.rejected), key=lambda c: (-c.confidence, c.item.qid))
    if len(kept) > 1 and kept[1].confidence >= kept[0].confidence - 0.1:
        close = [c for c in kept if c.confidence >= kept[0].confidence - 0.1]
        for c in close:
            others = ", ".join(o.item.qid for o in close if o is not c)
            c.notes.append(f"ambiguous with {others}")
            c.confidence = round(c.confidence * 0.8, 2)
    return kept
