"""A deterministic synthetic corpus that scales our own model: benchmark equipment, not a pipeline stage.

`synthetic_corpus(n_chapters, seed)` returns a `Corpus` as `load_corpus` would: generated
source texts, a registry (soviets, parties, persons, events, places) and statements whose
evidence offsets point at the very words of the generated text, with Julian, Gregorian and
ambiguous dates, posts and memberships, quoted, editorial and external attributions. Nothing
goes through YAML, so 10^7 triples take minutes, not hours. The same seed gives the same
corpus, byte for byte. `chapters_for(triples)` sizes a corpus for a target triple count.

A few ids are those of the real corpus (petersburg-soviet-1905, moscow-soviet-1905, trotsky,
military-revolutionary-committee, nin-1932), and the facts the named queries in `queries/` ask
about (deputy ratios, executive committees of the Moscow soviet with party seats, the 1932
system's figures and voting rules, Wikidata links, events of October 1905) are generated too,
so that every named query has an answer at every size; most grow with the corpus.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from kg.annotations import Annotations, Evidence, Mention, Statement
from kg.calendar import HistoricalDate, parse_date
from kg.corpus import Corpus
from kg.errors import Location
from kg.quantity import Quantity
from kg.registry import Entity, Link
from kg.sources import Source, Span
from kg.yamlfile import Node

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
SURNAMES = ("Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov", "Lebedev",
            "Kozlov", "Novikov", "Morozov", "Orlov", "Zaitsev", "Pavlov", "Semenov", "Golubev")
FIRST = ("Ivan", "Pyotr", "Nikolai", "Anna", "Maria", "Grigory", "Lev", "Vera", "Fyodor", "Olga")
CITIES = ("Petersburg", "Moscow", "Kiev", "Odessa", "Kharkov", "Riga", "Baku", "Tiflis", "Samara",
          "Kazan", "Ivanovo", "Rostov", "Ekaterinoslav", "Nizhny", "Saratov", "Minsk")
SOVIET_CLASSES = ("CitySoviet", "RegionalSoviet", "ProvincialSoviet", "RuralSoviet")
EVENT_CLASSES = ("Strike", "GeneralStrike", "Demonstration", "Congress", "Session", "Insurrection")
ROLES = ("president", "secretary", "vice-president", "treasurer", "executive-committee-member")
CONSTITUENCY = ("workers", "soldiers", "peasants", "sailors")
# Ids of the real corpus reused by the first entities, so the queries of queries/ have answers.
REAL_IDS = {"Soviet": ["petersburg-soviet-1905", "moscow-soviet-1905"], "Person": ["trotsky", "khrustalev-nosar"],
            "Committee": ["military-revolutionary-committee"], "Source": ["nin-1932"]}
TRIPLES_PER_CHAPTER = 1620      # measured with seed 0; chapters_for() needs it only roughly


def chapters_for(triples: int) -> int:
    """How many chapters make about `triples` triples (ontology not counted)."""
    return max(1, round(triples / TRIPLES_PER_CHAPTER))


def _written(d: HistoricalDate) -> str:
    p = d.parts
    if d.precision == "day":
        return f"{p[2]} {MONTHS[p[1] - 1]} {p[0]}"
    if d.precision == "month":
        return f"{MONTHS[p[1] - 1]} {p[0]}"
    return str(p[0])


class _Chapter:
    """Builds one source text sentence by sentence, remembering where each passage lies."""

    def __init__(self, sid: str, path: str):
        self.sid, self.path = sid, path
        self.parts: list[str] = []
        self.size = 0
        self.line = 1
        self.statements: list[Statement] = []
        self.mentions: list[Mention] = []

    def write(self, text: str) -> tuple[int, int]:
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        self.line += text.count("\n")
        return start, self.size

    def mention(self, eid: str, label: str) -> None:
        start, end = self.write(label)
        self.mentions.append(Mention(self.sid, eid, start, end, Location(self.path, self.line)))

    def sentence(self, chunks: list, **fields) -> Statement:
        """Write a sentence of text and (entity_id, label) chunks; state one fact with it as evidence."""
        start = self.size
        line = self.line
        for chunk in chunks:
            if isinstance(chunk, tuple):
                self.mention(*chunk)
            else:
                self.write(chunk)
        end = self.size
        self.write(" ")
        st = Statement(id=f"s{len(self.statements) + 1}", source=self.sid, location=Location(self.path, line),
                       **fields)
        st.evidence = Evidence("", start, end, line)     # the quote is filled in once the text is whole
        self.statements.append(st)
        return st

    @property
    def text(self) -> str:
        return "".join(self.parts)


def synthetic_corpus(n_chapters: int, seed: int = 0) -> Corpus:
    """A corpus of `n_chapters` generated sources and the entities they speak of (deterministic)."""
    rnd = random.Random(seed)
    registry: dict[str, Entity] = {}
    reg_loc = Location("synthetic/entities.yaml")

    real = {k: list(v) for k, v in REAL_IDS.items()}

    def entity(kind: str, cls: str, label: str, **extra) -> Entity:
        reuse = real.get(kind)
        eid = reuse.pop(0) if reuse else f"{kind.lower()}-{len(registry)}"
        e = Entity(id=eid, cls=cls, label=label, location=Location(reg_loc.path, len(registry) + 1), **extra)
        registry[eid] = e
        return e

    places = [entity("Place", "City", f"{CITIES[i % len(CITIES)]} {i}") for i in range(max(4, n_chapters // 4))]
    parties = [entity("Party", "Party", f"Party of Labour No. {i}") for i in range(max(3, n_chapters // 20))]
    sources: dict[str, Source] = {}
    ann = Annotations()
    soviets: list[tuple[Entity, HistoricalDate, HistoricalDate | None]] = []
    for i in range(n_chapters):
        r = random.Random(rnd.random())
        source_ids = real["Source"]
        sid = source_ids.pop(0) if source_ids else f"chapter-{i}"
        path = f"synthetic/{sid}.txt"
        author = entity("Person", "Person", f"{r.choice(FIRST)} {r.choice(SURNAMES)} ({i}a)",
                        aliases=[f"A. {i}"])
        ch = _Chapter(sid, path)
        ch.write(f"Chapter {i}, by ")
        a_span = ch.write(author.label)
        ch.write(".\n\n")
        _chapter(ch, r, i, entity, registry, places, parties, soviets, author)
        if i == 0:
            _system_1932(ch, entity, author)
        editorial_start = ch.size
        ch.write("\n[Editor's note: ")
        ed = ch.sentence(["the chapter was revised in ", "1906", "."], subject=author.id,
                         predicate="demanded", value="revision of the chapter")
        ed.attribution = "editor"
        ch.write("]\n")
        text = ch.text
        for st in (st for st in ch.statements if st.evidence):
            st.evidence.quote = text[st.evidence.start:st.evidence.end]
        sha = hashlib.sha256(text.encode()).hexdigest()
        meta = Node({"id": sid, "sha256": sha, "title": f"Chapter {i} of the synthetic history"})
        meta.path, meta.line, meta.key_lines = "synthetic/sources.yaml", i + 1, {}
        written = parse_date(f"{1906 + i % 26}", "gregorian")
        src = Source(id=sid, path=Path(path), text=text, title=meta["title"], author=author.id,
                     author_basis=None, author_span=a_span, language="en", rights="CC0 (synthetic)",
                     meta=meta, dates={"written": written},
                     editorial=[Span(editorial_start, len(text), "editor", "editor's note")],
                     line_starts=[0] + [k + 1 for k, c in enumerate(text) if c == "\n"])
        sources[sid] = src
        ann.statements.extend(ch.statements)
        ann.mentions.extend(ch.mentions)
        ann.files.append(path)
    return Corpus(sources, registry, ann)


def _day(r: random.Random, year_lo: int, year_hi: int, calendar: str) -> HistoricalDate:
    y, m, d = r.randint(year_lo, year_hi), r.randint(1, 12), r.randint(1, 28)
    return parse_date(f"{y:04d}-{m:02d}-{d:02d}", calendar)


def _with_written(d: HistoricalDate) -> HistoricalDate:
    return HistoricalDate(d.value, d.calendar, d.precision, _written(d))


def _chapter(ch: _Chapter, r, i, entity, registry, places, parties, soviets, author) -> None:
    """One chapter: a soviet with its life, posts and memberships, an event, persons and counts."""
    place = r.choice(places)
    cls = SOVIET_CLASSES[i % len(SOVIET_CLASSES)]
    kind = "Soviet"
    # every fourth soviet is linked to Wikidata (the wikidata-links query), with how the link was made
    link = Link(f"Q{100000 + i}", "synthetic lexical match", 0.9, "semapv:LexicalMatching",
                Location("synthetic/entities.yaml")) if i % 4 == 0 else None
    soviet = entity(kind, cls, f"Soviet of {place.label} No. {i}",
                    constituency=[CONSTITUENCY[i % 4]] if i % 3 else [], label_ru=f"Совет {i}",
                    wikidata=link.qid if link else None, link=link)
    # Founded in 1905 (Julian, as the texts of the time wrote), dissolved 1917-1918 (Gregorian).
    founded = _with_written(_day(r, 1905, 1905, "julian"))
    dissolved = _with_written(_day(r, 1917, 1917, "gregorian")) if i % 2 else None
    soviets.append((soviet, founded, dissolved))
    s = (soviet.id, soviet.label)
    ch.sentence(["The ", s, " was founded on ", founded.written, " (Old Style)."],
                subject=soviet.id, predicate="founded", value=founded)
    ch.sentence(["It sat in ", (place.id, place.label), "."], subject=soviet.id, predicate="locatedIn",
                object=place.id)
    if dissolved:
        ch.sentence(["The ", s, " was dissolved on ", dissolved.written, "."],
                    subject=soviet.id, predicate="dissolved", value=dissolved)
    if len(soviets) > 1 and i % 5 == 0:
        parent = soviets[r.randrange(len(soviets) - 1)][0]
        ch.sentence(["The ", s, " reported to the ", (parent.id, parent.label), "."],
                    subject=soviet.id, predicate="subOrganizationOf", object=parent.id)
    as_of = _with_written(parse_date(f"1906-{r.randint(1, 12):02d}", "julian"))
    n = r.randint(50, 600)
    st = ch.sentence(["In ", as_of.written, " it counted ", f"{n} deputies."], subject=soviet.id,
                     predicate="numberOfDeputies", value=Quantity(amount=n, approximate=n % 50 == 0))
    st.dates["as_of"] = as_of
    st.counted = "deputies"
    ch.sentence(["Its deputies served for ", "three months", "."], subject=soviet.id,
                predicate="termOfOffice", value="three months")
    ratio = r.choice((250, 500, 1000))
    st = ch.sentence(["One deputy was elected for every ", f"{ratio} workers", "."], subject=soviet.id,
                     predicate="deputyRatio", value=Quantity(amount=ratio))
    st.texts["unit"] = "workers"
    size = r.randint(5, 40)
    st = ch.sentence(["In ", as_of.written, " its executive committee had ", f"{size} members", "."],
                     subject=soviet.id, predicate="executiveCommitteeSize", value=Quantity(amount=size))
    st.dates["as_of"] = as_of
    if i % 10 == 0:
        ch.sentence(["All ", "workers", " over eighteen could vote for it."], subject=soviet.id,
                    predicate="votingRight", value="workers")
        ch.sentence(["Employers of hired labour", " could not vote."], subject=soviet.id,
                    predicate="excludedFromVoting", value="employers of hired labour")
    if i % 3 == 1 and "moscow-soviet-1905" in registry:
        # an executive committee of the Moscow soviet, and a party's seats on it
        moscow = registry["moscow-soviet-1905"]
        committee = entity("ExecCommittee", "ExecutiveCommittee", f"Executive Committee No. {i} of the Moscow Soviet")
        c = (committee.id, committee.label)
        ch.sentence(["The ", c, " was elected by the ", (moscow.id, moscow.label), "."],
                    subject=committee.id, predicate="subOrganizationOf", object=moscow.id)
        party = r.choice(parties)
        seats = r.randint(1, 12)
        st = ch.sentence(["The ", (party.id, party.label), " held ", f"{seats} seats", " on the ", c, "."],
                         subject=party.id, predicate="memberOf", object=committee.id)
        st.counts["seats"] = seats

    people = [author] + [entity("Person", "Person", f"{r.choice(FIRST)} {r.choice(SURNAMES)} ({i}.{k})")
                         for k in range(3)]
    for k, person in enumerate(people):
        p = (person.id, person.label)
        born = parse_date(f"{r.randint(1860, 1890)}", "gregorian") if k % 2 else \
            _with_written(_day(r, 1860, 1890, "julian"))
        ch.sentence([p, " was born in ", _written(born), "."], subject=person.id, predicate="born", value=born)
        party = r.choice(parties)
        start = _with_written(_day(r, 1903, 1905, "julian"))
        st = ch.sentence([p, " joined the ", (party.id, party.label), " in ", start.written, "."],
                         subject=person.id, predicate="memberOf", object=party.id)
        st.dates["start"] = start
        role = ROLES[(i + k) % len(ROLES)]
        ps, pe = _day(r, 1906, 1910, "julian"), _day(r, 1911, 1916, "gregorian")
        ps, pe = _with_written(ps), _with_written(pe)
        st = ch.sentence([p, f" served as {role.replace('-', ' ')} of the ", s, " from ", ps.written,
                          " to ", pe.written, "."], subject=person.id, predicate="holdsPost", object=soviet.id)
        st.role, st.dates["start"], st.dates["end"] = role, ps, pe
        if k == 1:
            st.attribution, st.quoted = "quoted", people[2].id
        if k == 3:
            arrest = parse_date(f"1906-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", "ambiguous")
            arrest = _with_written(arrest)
            st = ch.sentence([p, " was arrested on ", arrest.written, "."], subject=person.id,
                             predicate="wasArrested", value=arrest)
            st.entities["place"] = place.id
            st.uncertain = "the text does not say in which calendar"

    event = entity("Event", EVENT_CLASSES[i % len(EVENT_CLASSES)], f"Strike No. {i} in {place.label}")
    e = (event.id, event.label)
    es = _with_written(_day(r, 1905, 1906, "gregorian") if i % 4 else
                       parse_date(f"1905-10-{r.randint(1, 28):02d}", "gregorian"))   # the date-range filter's month
    greg = parse_date(es.gregorian, "gregorian")
    end_d = _with_written(parse_date(_plus_days(greg.value, r.randint(0, 20)), "gregorian"))
    ch.sentence(["The ", e, " began on ", es.written, "."], subject=event.id, predicate="startDate", value=es)
    ch.sentence(["The ", e, " ended on ", end_d.written, "."], subject=event.id, predicate="endDate", value=end_d)
    ch.sentence(["The ", e, " broke out on ", es.written, "."], subject=event.id, predicate="date", value=es)
    ch.sentence(["It took place in ", (place.id, place.label), "."], subject=event.id, predicate="locatedIn",
                object=place.id)
    ch.sentence(["The ", s, " called the ", e, "."], subject=soviet.id, predicate="organised", object=event.id)
    for person in people[1:3]:
        ch.sentence([(person.id, person.label), " took part in the ", e, "."], subject=person.id,
                    predicate="participatedIn", object=event.id)
    n = r.randint(1000, 90000)
    ch.sentence([f"Some {n} workers", " came out."], subject=event.id, predicate="numberOfParticipants",
                value=Quantity(amount=n, approximate=True, written=f"Some {n}"))
    st = ch.sentence(["Its outcome was ", "the release of the deputies", "."], subject=event.id,
                     predicate="outcome", value="the release of the deputies")
    if i % 7 == 0:
        ext = Statement(id=f"s{len(ch.statements) + 1}", source=ch.sid, subject=event.id, predicate="numberOfVictims",
                        location=Location(ch.path, ch.line), value=Quantity(amount=r.randint(0, 300)),
                        external="Synthetic reference work, vol. 1, p. 1")
        ch.statements.append(ext)


def _system_1932(ch: _Chapter, entity, author: Entity) -> None:
    """The first chapter (nin-1932) describes the Soviet system of 1932 and who led the Military Revolutionary Committee."""
    congress = entity("Congress", "CongressOfSoviets", "All-Union Congress of Soviets (1932)")
    c = (congress.id, congress.label)
    for predicate, value, words in (("numberOfDeputies", 2200, "2200 deputies"),
                                    ("deputyRatio", 25000, "one deputy for every 25000 electors"),
                                    ("executiveCommitteeSize", 400, "400 members"),
                                    ("termOfOffice", "two years", "two years")):
        st = ch.sentence(["The ", c, " had ", words, "."], subject=congress.id, predicate=predicate,
                         value=Quantity(amount=value) if isinstance(value, int) else value)
        if predicate == "deputyRatio":
            st.texts["unit"] = "electors"
        if predicate == "numberOfDeputies":
            total = st
    # the total's parts, by constituency, which add up (queries/figure-breakdowns.rq)
    total.breakdown_complete = "constituency"
    for amount, group in ((1200, "workers"), (1000, "peasants")):
        ch.sentence(["Of them, ", f"{amount} were {group}' deputies", "."], subject=congress.id,
                    predicate="numberOfDeputies", value=Quantity(amount=amount), part_of=total.id,
                    group_by="constituency", group=group)
    mrc = entity("Committee", "Committee", "Military Revolutionary Committee")
    ch.sentence([(author.id, author.label), " led the ", (mrc.id, mrc.label), " in October 1917."],
                subject=author.id, predicate="led", object=mrc.id)
    # a charge, not a fact: a statement node with its stance and no direct triple (queries/what-happened.rq)
    ch.sentence(["Some charged that the ", (mrc.id, mrc.label), " had led the ", c, "."],
                subject=mrc.id, predicate="led", object=congress.id, stance="alleges")


def _plus_days(value: str, days: int) -> str:
    from datetime import date, timedelta
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()


__all__ = ["synthetic_corpus", "chapters_for"]
