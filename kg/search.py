"""The search index: entities by name and passages of the source texts, in SQLite FTS5.

Written by `kg build` into the build folder beside the store, so it is swapped in with it and a
failed build leaves the last good index serving. SQLite and FTS5 come with Python: nothing to
run beside the server, and a look-up is a few index probes (figures: README, "Search").

Names are matched on a *folded key*: Cyrillic transliterated, accents dropped, lower case, and
the spelling variants of Russian names in Western texts made equal (Trotsky, Trotski, Trotzky
and Троцкий all fold to "trotski"). Typos are forgiven by a trigram index over the keys whose
candidates are re-ranked by string similarity.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rapidfuzz.fuzz import ratio

from kg.iris import Iris

INDEX_FILE = "search.sqlite"
# A name is a few words; longer input is cut rather than turned into a costly match expression.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
     "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))
# Spelling variants of transliterated names, applied in order to each folded word.
VARIANTS = [("tsch", "ch"), ("tch", "ch"), ("sch", "sh"), ("tz", "ts"), ("ck", "k"), ("ph", "f"),
            ("kh", "h"), ("x", "ks"), ("w", "v"), ("j", "i"), ("y", "i"), ("ii", "i"), ("ie", "i")]
_DOUBLE = re.compile(r"(.)\1+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """A name's search key: 'Lev Trotzky', 'Leo Trotski' and 'Лев Троцкий' → 'lev trotski'."""
    lowered = "".join(CYRILLIC.get(c, c) for c in text.lower())
    plain = "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))
    words = []
    for word in _NON_WORD.sub(" ", plain).split():
        for old, new in VARIANTS:
            word = word.replace(old, new)
        words.append(_DOUBLE.sub(r"\1", word))
    return " ".join(words)


SCHEMA = """
CREATE TABLE entities (id INTEGER PRIMARY KEY, iri TEXT UNIQUE, label TEXT, label_ru TEXT,
    class TEXT, class_label TEXT, types TEXT, description TEXT, earliest TEXT, latest TEXT, names TEXT,
    keys TEXT, places TEXT);
CREATE TABLE entity_keys (key TEXT, id INTEGER);
CREATE INDEX entity_keys_by_key ON entity_keys (key);
CREATE VIRTUAL TABLE entity_words USING fts5(keys, content='entities', content_rowid='id',
    tokenize='unicode61');
CREATE VIRTUAL TABLE entity_trigrams USING fts5(keys, content='entities', content_rowid='id',
    tokenize='trigram');
CREATE TABLE passages (id INTEGER PRIMARY KEY, source TEXT, title TEXT, start INTEGER, end INTEGER,
    line INTEGER, text TEXT);
CREATE VIRTUAL TABLE passage_words USING fts5(text, content='passages', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE TABLE statements (passage INTEGER, statement TEXT, subject TEXT, subject_label TEXT,
    predicate TEXT, object TEXT, object_label TEXT, start INTEGER, end INTEGER);
CREATE INDEX statements_by_passage ON statements (passage);
CREATE TABLE facts (id INTEGER PRIMARY KEY, statement TEXT, subject TEXT, subject_label TEXT,
    class TEXT, class_label TEXT, predicate TEXT, object TEXT, object_label TEXT, value TEXT,
    earliest TEXT, latest TEXT, written TEXT, original TEXT, calendar TEXT, precision TEXT,
    source TEXT, source_title TEXT, attribution TEXT, stance TEXT, place TEXT, place_label TEXT,
    quote TEXT, start INTEGER, end INTEGER);
CREATE INDEX facts_by_class ON facts (class);
CREATE INDEX facts_by_place ON facts (place);
CREATE INDEX facts_by_source ON facts (source);
CREATE INDEX facts_by_earliest ON facts (earliest);
CREATE TABLE fact_parties (fact INTEGER, party TEXT, party_label TEXT);
CREATE INDEX fact_parties_by_fact ON fact_parties (fact);
CREATE INDEX fact_parties_by_party ON fact_parties (party);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX kg: <{base}ontology#>
"""


def _rows(store: ox.Store, base: str, text: str):
    # the store's default graph holds each triple once (kg.store.load_default); a union view would
    # repeat a triple once per graph, and each repeat multiplies through every join
    for sol in store.query(PREFIXES.format(base=base) + text):
        yield [None if v is None else v.value for v in sol]


def write_index(store: ox.Store, path: Path, base_iri: str) -> dict:
    """Index the entities of the registry graph and the paragraphs of every source; return counts."""
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        entities = _write_entities(db, store, base_iri)
        passages, statements = _write_passages(db, store, base_iri)
        facts = _write_facts(db, store, base_iri)
        db.execute("INSERT INTO entity_words(entity_words) VALUES ('rebuild')")
        db.execute("INSERT INTO entity_trigrams(entity_trigrams) VALUES ('rebuild')")
        db.execute("INSERT INTO passage_words(passage_words) VALUES ('rebuild')")
        db.execute("INSERT INTO meta VALUES ('base_iri', ?)", (base_iri,))
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    return {"entities": entities, "passages": passages, "statements": statements, "facts": facts}


def _ancestors(classes: set[str], parents: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    stack = [p for c in classes for p in parents.get(c, ())]
    while stack:
        p = stack.pop()
        if p not in out:
            out.add(p)
            stack.extend(parents.get(p, ()))
    return out


def _most_specific(classes: set[str], parents: dict[str, set[str]]) -> str | None:
    """The class of a set that no other class of the set specialises (WorkersSoviet beside CitySoviet: either)."""
    ancestors = _ancestors(classes, parents)
    leaves = sorted(c for c in classes if c not in ancestors)
    return leaves[0] if leaves else (sorted(classes)[0] if classes else None)


def _write_entities(db: sqlite3.Connection, store: ox.Store, base: str) -> int:
    registry = f"<{Iris(base).graph('registry')}>"
    parents: dict[str, set[str]] = {}
    class_labels: dict[str, str] = {}
    for c, p, label in _rows(store, base, """SELECT ?c ?p ?label WHERE {
            ?c a ?kind VALUES ?kind { <http://www.w3.org/2002/07/owl#Class> rdfs:Class }
            OPTIONAL { ?c rdfs:subClassOf ?p FILTER (isIRI(?p)) }      # not restrictions (blank nodes)
            OPTIONAL { ?c rdfs:label ?label FILTER (LANG(?label) = "en") } }"""):
        if p:
            parents.setdefault(c, set()).add(p)
        if label:
            class_labels[c] = label
    spans = {e: (lo, hi) for e, lo, hi in _rows(store, base, """
        SELECT ?e (MIN(?lo) AS ?from) (MAX(?hi) AS ?to) WHERE {
          ?st rdf:subject ?e ; ?q ?d . ?d kg:earliestGregorian ?lo ; kg:latestGregorian ?hi } GROUP BY ?e""")}
    places: dict[str, set[str]] = {}
    for e, name in _rows(store, base, f"""SELECT DISTINCT ?e ?name WHERE {{ ?e kg:locatedIn ?place .
            GRAPH {registry} {{ ?place rdfs:label|skos:altLabel ?name }} }}"""):
        places.setdefault(e, set()).add(fold(name))
    found: dict[str, dict] = {}
    for e, p, o in _rows(store, base, f"""SELECT ?e ?p ?o WHERE {{ GRAPH {registry} {{ ?e ?p ?o
            VALUES ?p {{ rdf:type rdfs:label skos:altLabel skos:scopeNote }} }} }}"""):
        item = found.setdefault(e, {"classes": set(), "label": None, "label_ru": None, "names": [], "note": None})
        if p.endswith("#type"):
            item["classes"].add(o)
        elif p.endswith("#scopeNote"):
            item["note"] = o
        else:
            item["names"].append(o)
    langs = {(e, v): lang for e, v, lang in _rows(store, base, f"""SELECT ?e ?v (LANG(?l) AS ?lang) WHERE {{
            GRAPH {registry} {{ ?e rdfs:label ?l }} BIND (STR(?l) AS ?v) }}""")}
    rows = []
    for e, item in found.items():
        for name in item["names"]:
            lang = langs.get((e, name))
            if lang == "en" and not item["label"]:
                item["label"] = name
            elif lang == "ru" and not item["label_ru"]:
                item["label_ru"] = name
        if not item["label"]:
            continue           # not an entity of ours: only registry entries carry an English label
        cls = _most_specific(item["classes"], parents)
        pairs = {fold(n): n for n in reversed(list(dict.fromkeys(item["names"]))) if fold(n)}
        keys, names = list(pairs), list(pairs.values())     # aligned: one name as written per key
        lo, hi = spans.get(e, (None, None))
        types = item["classes"] | _ancestors(item["classes"], parents)
        rows.append((e, item["label"], item["label_ru"], cls, class_labels.get(cls, local_name(cls)),
                     " ".join(sorted(local_name(t) for t in types)), item["note"], lo, hi,
                     "\n".join(names), "\n".join(keys), "\n".join(sorted(places.get(e, ())))))
    db.executemany("""INSERT INTO entities (iri, label, label_ru, class, class_label, types, description,
        earliest, latest, names, keys, places) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
    # every name's key, so that a name matched exactly is a candidate however many names share its words
    db.executemany("INSERT INTO entity_keys VALUES (?, ?)",
                   [(key, rowid) for rowid, keys in db.execute("SELECT id, keys FROM entities").fetchall()
                    for key in keys.split("\n")])
    return len(rows)


def local_name(iri: str | None) -> str:
    """The local name of an IRI: ontology#CitySoviet → CitySoviet (how the index names classes)."""
    return (iri or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def paragraphs(text: str):
    """(start, end) of each paragraph: runs of lines separated by blank lines."""
    for m in re.finditer(r"\S(?:.*\S)?(?:\n[ \t]*\S.*)*", text):
        yield m.start(), m.end()


def _write_passages(db: sqlite3.Connection, store: ox.Store, base: str) -> tuple[int, int]:
    count = 0
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for src, title, text in _rows(store, base, """SELECT ?s ?title ?text WHERE {
            ?s kg:fullText ?text OPTIONAL { ?s dcterms:title ?title } } ORDER BY ?s"""):
        for start, end in paragraphs(text):
            cur = db.execute("INSERT INTO passages (source, title, start, end, line, text) VALUES (?,?,?,?,?,?)",
                             (src, title, start, end, text.count("\n", 0, start) + 1, text[start:end]))
            spans.setdefault(src, []).append((start, end, cur.lastrowid))
            count += 1
    rows = []
    for st, src, s, sl, p, o, ol, start, end in _rows(store, base, """
            SELECT ?st ?src ?s ?sl ?p ?o ?ol ?start ?end WHERE {
              ?st kg:statedIn ?src ; rdf:subject ?s ; rdf:predicate ?p ; prov:wasDerivedFrom/oa:hasSelector ?sel .
              ?sel oa:start ?start ; oa:end ?end .
              OPTIONAL { ?s rdfs:label ?sl FILTER (LANG(?sl) = "en") }
              OPTIONAL { ?st rdf:object ?o OPTIONAL { ?o rdfs:label ?ol FILTER (LANG(?ol) = "en") } } }"""):
        start, end = int(start), int(end)
        for a, b, pid in spans.get(src, ()):
            if a <= start < b:
                rows.append((pid, st, s, sl, p, o, ol, start, end))
                break
    db.executemany("INSERT INTO statements VALUES (?,?,?,?,?,?,?,?,?)", rows)
    return count, len(rows)


def _write_facts(db: sqlite3.Connection, store: ox.Store, base: str) -> int:
    """One row per statement with what the browse page filters on: the subject's class, the
    statement's Gregorian bounds (from the date as the text gives it, in its calendar and
    precision), place, parties, source, attribution and stance."""
    entity = {iri: (cls, cls_label, label) for iri, cls, cls_label, label in
              db.execute("SELECT iri, class, class_label, label FROM entities")}
    dates: dict[str, tuple] = {}
    for st, lo, hi, written, original, cal, prec in _rows(store, base, """
            SELECT ?st ?lo ?hi ?written ?original ?cal ?prec WHERE {
              ?st a kg:Statement ; ?q ?d . ?d kg:earliestGregorian ?lo ; kg:latestGregorian ?hi .
              OPTIONAL { ?d kg:asWritten ?written } OPTIONAL { ?d kg:originalValue ?original }
              OPTIONAL { ?d kg:calendarModel ?cal } OPTIONAL { ?d kg:precision ?prec } }"""):
        if st not in dates or lo < dates[st][0]:
            dates[st] = (lo, hi, written, original, cal, prec)
    places = {}
    for e, place in _rows(store, base, "SELECT ?e ?place WHERE { ?e kg:locatedIn ?place }"):
        places.setdefault(e, place)
    parties: dict[str, set[str]] = {}
    party_types = {"Party", "Faction"}
    for e, (cls, _, _) in entity.items():
        if local_name(cls) in party_types:
            parties.setdefault(e, set()).add(e)
    for e, party in _rows(store, base, "SELECT ?e ?party WHERE { ?e kg:memberOf ?party }"):
        if party in entity and local_name(entity[party][0]) in party_types:
            parties.setdefault(e, set()).add(party)
    seen: set[str] = set()      # a statement with two quotes or positions comes once
    for row in _rows(store, base, """
            SELECT ?st ?s ?p ?o ?src ?title ?att ?stance ?place ?quote ?start ?end WHERE {
              ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; kg:statedIn ?src .
              OPTIONAL { ?st rdf:object ?o } OPTIONAL { ?src dcterms:title ?title }
              OPTIONAL { ?st kg:attribution ?att } OPTIONAL { ?st kg:stance ?stance }
              OPTIONAL { ?st kg:place ?place }
              OPTIONAL { ?st prov:wasDerivedFrom/oa:hasSelector ?qs . ?qs oa:exact ?quote }
              OPTIONAL { ?st prov:wasDerivedFrom/oa:hasSelector ?ps . ?ps oa:start ?start ; oa:end ?end } }"""):
        st, s, p, o, src, title, att, stance, place, quote, start, end = row
        if st in seen:
            continue
        seen.add(st)
        cls, cls_label, s_label = entity.get(s, (None, "", s))
        obj_label = entity[o][2] if o in entity else None
        lo, hi, written, original, cal, prec = dates.get(st, (None,) * 6)
        place = place or places.get(s) or (places.get(o) if o else None)
        cur = db.execute("""INSERT INTO facts (statement, subject, subject_label, class, class_label, predicate,
            object, object_label, value, earliest, latest, written, original, calendar, precision, source,
            source_title, attribution, stance, place, place_label, quote, start, end)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (st, s, s_label, cls, cls_label, p, o if o in entity else None, obj_label,
             None if o in entity else o, lo, hi, written, original, cal, prec, src, title, att,
             stance or str(Iris(base).term("Asserts")), place, entity[place][2] if place in entity else None,
             quote, int(start) if start else None, int(end) if end else None))
        for party in parties.get(s, set()) | (parties.get(o, set()) if o else set()):
            db.execute("INSERT INTO fact_parties VALUES (?,?,?)", (cur.lastrowid, party, entity[party][2]))
    return len(seen)


@dataclass
class Hit:
    iri: str
    label: str
    label_ru: str | None
    cls: str | None
    class_label: str
    description: str | None
    earliest: str | None
    latest: str | None
    score: float          # 0-1: how well the best of its names matches the query
    matched: str          # the name that matched best, as the texts spell it
    types: tuple[str, ...] = ()    # local names of its classes and their superclasses
    places: tuple[str, ...] = ()   # folded names of the places it is located in

    def as_json(self) -> dict:
        return {"id": self.iri, "label": self.label, "label_ru": self.label_ru, "class": self.cls,
                "class_label": self.class_label, "description": self.description,
                "earliest": self.earliest, "latest": self.latest, "score": round(self.score, 3),
                "matched": self.matched}

    @classmethod
    def of(cls, row, score: float, matched: str) -> "Hit":
        return cls(row["iri"], row["label"], row["label_ru"], row["class"], row["class_label"],
                   row["description"], row["earliest"], row["latest"], score, matched,
                   tuple(row["types"].split()), tuple(p for p in row["places"].split("\n") if p))


class SearchIndex:
    """A read-only connection to one build's index (one per thread: sqlite3 connections are not shared)."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self.db.row_factory = sqlite3.Row

    def close(self) -> None:
        self.db.close()

    def entities(self, query: str, limit: int = 20, classes: set[str] | None = None) -> list[Hit]:
        """Entities ranked by their best-matching name: exact, then prefix, then similar; `classes`
        keeps those of these classes or their subclasses (local names: Person, Soviet)."""
        key = " ".join(fold(query[:MAX_QUERY_CHARS]).split()[:MAX_QUERY_WORDS])
        if not key:
            return []
        words = " ".join(f'"{w}"*' for w in key.split())     # folded words are [0-9a-z] only
        ids = list(dict.fromkeys(self._exact(key) + self._match("entity_words", words, 4 * limit)))
        hits = self._hits(ids, key, classes)
        # similar spellings only when the words themselves found no name that matches well
        if len(key) >= 3 and not any(h.score >= 0.85 for h in hits):
            grams = " OR ".join(f'"{key[i:i + 3]}"' for i in range(len(key) - 2))
            hits += self._hits([i for i in self._match("entity_trigrams", grams, 4 * limit) if i not in ids],
                               key, classes)
        hits.sort(key=lambda h: (-h.score, h.label))
        return hits[:limit]

    def _exact(self, key: str) -> list[int]:
        """Entities with a name whose key is exactly `key`: the full-text match ranks candidates by
        bm25, and a short limit could leave out the one name that is exactly what was asked for."""
        try:
            return [rowid for (rowid,) in self.db.execute("SELECT id FROM entity_keys WHERE key = ?", (key,))]
        except sqlite3.OperationalError:      # an index written before the table existed
            return []

    def _match(self, table: str, expression: str, limit: int) -> list[int]:
        return [rowid for (rowid,) in self.db.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rank LIMIT ?", (expression, limit))]

    def _hits(self, ids: list[int], key: str, classes: set[str] | None) -> list[Hit]:
        if not ids:
            return []
        hits = []
        for row in self.db.execute(f"SELECT * FROM entities WHERE id IN ({','.join('?' * len(ids))})", ids):
            if classes and not classes & set(row["types"].split()):
                continue
            score, matched = _score(key, row["keys"].split("\n"), row["names"].split("\n"))
            if score >= 0.5:
                hits.append(Hit.of(row, score, matched))
        return hits

    def entity(self, iri: str) -> Hit | None:
        row = self.db.execute("SELECT * FROM entities WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            return None
        return Hit.of(row, 1.0, row["label"])

    def by_prefix(self, prefix: str, limit: int = 10) -> list[Hit]:
        """Autocomplete: entities with a name whose words start with what was typed so far."""
        return [h for h in self.entities(prefix, limit * 2) if h.score >= 0.7][:limit]

    def classes(self) -> list[tuple[str, str, int]]:
        """(class IRI, label, entities) of every class entities are indexed under."""
        return [tuple(r) for r in self.db.execute(
            "SELECT class, class_label, COUNT(*) FROM entities GROUP BY class ORDER BY class_label")]

    def passages(self, query: str, limit: int = 20) -> list[dict]:
        """Paragraphs of the sources containing every word of the query, each with its statements."""
        words = _WORD.findall(query[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]
        if not words:
            return []
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words[:-1])
        match = (match + " " if match else "") + '"' + words[-1].replace('"', '""') + '"*'
        out = []
        for row in self.db.execute(
                """SELECT p.id, p.source, p.title, p.start, p.end, p.line,
                   snippet(passage_words, 0, char(1), char(2), ' … ', 40) AS snip
                   FROM passage_words JOIN passages p ON p.id = passage_words.rowid
                   WHERE passage_words MATCH ? ORDER BY rank LIMIT ?""", (match, limit)):
            statements = [dict(s) for s in self.db.execute(
                """SELECT statement, subject, subject_label, predicate, object, object_label, start, end
                   FROM statements WHERE passage = ? ORDER BY start, statement""", (row["id"],))]
            out.append({"source": row["source"], "title": row["title"], "start": row["start"],
                        "end": row["end"], "line": row["line"], "snippet": row["snip"],
                        "statements": statements})
        return out


def _score(key: str, keys: list[str], names: list[str]) -> tuple[float, str]:
    """How well the folded query matches the best of an entity's folded names (1 exact, .9 prefix of a word run)."""
    best, best_name = 0.0, names[0] if names else ""
    n = len(key.split())
    for folded, name in zip(keys, names):
        if folded == key:
            return 1.0, name
        if folded.startswith(key) or f" {key}" in f" {folded}":
            score = 0.9 - 0.1 * (1 - len(key) / len(folded))
        else:
            words = folded.split()
            windows = [" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1))]
            # the best run of words, with a little for the whole name, so "Lenon" prefers "Lenin"
            # itself to "April Theses (Lenin, 1917)"
            score = (0.85 * max(ratio(key, w) for w in windows) + 0.1 * ratio(key, folded)) / 100
        if score > best:
            best, best_name = score, name
    return best, best_name
