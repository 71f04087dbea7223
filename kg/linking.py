"""`kg link`: propose Wikidata links for review, take reviewed ones in, re-check the links we have.

The three steps keep a person between a candidate and a link (a wrong link is worse than none):

1. `propose` searches Wikidata for entities without a link, scores the candidates
   (kg/matching.py) and writes them as a SSSOM mapping set for review;
2. a reviewer fills `reviewer_label` (or `reviewer_id`) on the rows that are right and sets
   `predicate_modifier` to `Not` on the wrong ones;
3. `accept` re-checks the reviewed rows against Wikidata and appends them to
   `sources/wikidata/links.yaml`, with who reviewed them, the confidence and the mapping set.

`check` asks Wikidata again about every link and reports those that drifted.
"""

from __future__ import annotations

import os
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from kg import __version__, sssom
from kg.corpus import Corpus, load_corpus
from kg.errors import AnnotationError, BadParameter, InputErrors, KgError, Location
from kg.iris import Iris
from kg.registry import JUSTIFICATIONS, LINKS_FILE, load_registry
from kg.vocabulary import PREDICATES
from kg.matching import Candidate, Dates, our_names, rank, score, search_terms, similarity
from kg.wikidata import QID, TYPE_RULES, TYPES, WD, WikidataClient, check_type_table, fetch_items

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
SIMILARITY_MEASURE = ("difflib SequenceMatcher ratio of normalised names (lower case, no accents or "
                      "punctuation), also over sorted words; best pair of our labels and aliases "
                      "with Wikidata's label and aliases")
REVIEW_COLUMNS = ("predicate_modifier", "reviewer_id", "reviewer_label", "review_date")


# -- dates our corpus gives for each entity --

def corpus_dates(corpus: Corpus) -> dict[str, Dates]:
    """Years per entity from every dated statement: lives and foundings, and when each was active."""
    out: dict[str, Dates] = {}
    own = {"born": "born", "died": "died", "founded": "founded", "dissolved": "dissolved"}
    for st in corpus.annotations.statements:
        pred = PREDICATES[st.predicate]
        involved = [st.subject] + ([st.object] if pred.kind == "entity" and st.object else []) \
            + list(st.entities.values())
        if pred.kind == "date" and st.value is not None:
            d = out.setdefault(st.subject, Dates())
            if st.predicate in own:
                setattr(d, own[st.predicate], st.value.earliest.year)
                if st.predicate in ("founded", "dissolved"):
                    d.seen(st.value.earliest.year)
            else:
                d.seen(st.value.earliest.year)
                d.seen(st.value.latest.year)
        for hd in st.dates.values():
            for eid in involved:
                out.setdefault(eid, Dates()).seen(hd.earliest.year)
                out[eid].seen(hd.latest.year)
    return out


# -- 1. propose --

@dataclass
class Proposals:
    rows: list[Candidate] = field(default_factory=list)
    considered: int = 0                 # entities without a link, of a class with a type rule
    searches: int = 0
    no_candidates: list[str] = field(default_factory=list)
    rejected: Counter = field(default_factory=Counter)   # reason → candidates
    below_threshold: int = 0

    def confidence_spread(self) -> str:
        c = [r.confidence for r in self.rows]
        if not c:
            return "none"
        bands = (sum(x >= 0.9 for x in c), sum(0.7 <= x < 0.9 for x in c), sum(x < 0.7 for x in c))
        return (f"min {min(c):.2f}, median {statistics.median(c):.2f}, max {max(c):.2f}; "
                f"≥0.9: {bands[0]}, 0.7–0.9: {bands[1]}, <0.7: {bands[2]}")


def propose(config, only=(), min_confidence: float = 0.5, client: WikidataClient | None = None) -> Proposals:
    """Search and score candidates for every unlinked entity (or only the given ids)."""
    corpus = load_corpus(config.sources_dir)
    registry = corpus.registry
    unknown = [eid for eid in only if eid not in registry]
    if unknown:
        raise BadParameter(f"no entity {', '.join(map(repr, unknown))} in the registry")
    client = client or WikidataClient.from_config(config)
    check_type_table(client)
    dates = corpus_dates(corpus)
    taken = {e.wikidata: e.id for e in registry.values() if e.wikidata}
    targets = [e for e in registry.values() if not e.wikidata and e.cls in TYPE_RULES
               and (not only or e.id in only)]
    out = Proposals(considered=len(targets))
    for e in targets:
        hits: dict[str, dict] = {}
        for term in search_terms(e):
            out.searches += 1
            for r in client.search(term):
                if QID.match(str(r.get("id", ""))):
                    hits.setdefault(r["id"], r)
        if not hits:
            out.no_candidates.append(e.id)
            continue
        items = fetch_items(client, hits)
        candidates = []
        for qid, item in items.items():
            item.description = hits[qid].get("description")
            c = score(e, dates.get(e.id, Dates()), item)
            if not c.rejected and qid in taken:
                c.reject("already linked", f"already the link of {taken[qid]}")
            if c.rejected:
                out.rejected[c.reject_kind] += 1
            candidates.append(c)
        ranked = rank(candidates)
        kept = [c for c in ranked if c.confidence >= min_confidence]
        out.below_threshold += len(ranked) - len(kept)
        out.rows += kept
        if not kept:
            out.no_candidates.append(e.id)
    return out


def write_proposals(config, proposals: Proposals, out_path, force: bool = False) -> Path:
    """Write the candidates as a SSSOM/TSV mapping set, ready for review."""
    path = Path(out_path)
    _refuse_overwrite(path, force)
    stem = path.name.split(".")[0]
    metadata = {
        "curie_map": {"kg": Iris(config.base_iri).ontology_ns, "kgr": Iris(config.base_iri).entity_ns,
                      "orcid": "https://orcid.org/", "wd": WD},
        "mapping_set_id": Iris(config.base_iri).mapping_set(stem),
        "mapping_set_title": "Candidate links from the soviets knowledge graph to Wikidata, for review",
        "mapping_set_description": (
            "Wikidata items proposed by `kg link` for entities of the registry that have no link: "
            "found with wbsearchentities, scored on name similarity, on type (instance of) and on "
            "dates (lifetime, inception) against the dates our sources give. Not links until reviewed."),
        "license": LICENCE,
        "mapping_tool": "kg link",
        "mapping_tool_version": __version__,
        "mapping_date": date.today().isoformat(),
        "similarity_measure": SIMILARITY_MEASURE,
        "comment": ("To review: on each row you confirm, fill reviewer_label (or reviewer_id, e.g. "
                    "orcid:0000-0002-…) and review_date; on each row you refuse, write Not in "
                    "predicate_modifier; leave the rest. Then run `kg link --accept FILE`."),
    }
    rows = []
    for c in sorted(proposals.rows, key=lambda c: (c.entity.id, -c.confidence, int(c.item.qid[1:]))):
        expected = [t for t in TYPE_RULES.get(c.entity.cls, ()) if t in c.item.types]
        desc = f"Wikidata: {c.item.description}; " if c.item.description else ""
        rows.append({
            "subject_id": f"kgr:{c.entity.id}", "subject_label": c.entity.label,
            "subject_category": f"kg:{c.entity.cls}", "predicate_id": "skos:exactMatch",
            "object_id": f"wd:{c.item.qid}", "object_label": c.item.label or "",
            "object_category": f"wd:{expected[0]}" if expected else "",
            "mapping_justification": c.justification, "confidence": c.confidence,
            "similarity_score": c.label_score, "comment": desc + "; ".join(c.notes),
        })
    sssom.write(path, metadata, rows, keep_empty=REVIEW_COLUMNS)
    return path


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise BadParameter(f"{path} exists (someone may be reviewing it): choose another --out, or --force")


# -- 3. accept --

@dataclass
class Accepted:
    links: list[dict] = field(default_factory=list)
    unreviewed: int = 0
    refused: int = 0
    already: int = 0
    path: Path | None = None


def accept(config, mapping_file, client: WikidataClient | None = None, today: str | None = None) -> Accepted:
    """Take the reviewed rows of a mapping set into wikidata/links.yaml, all or none."""
    ms = sssom.read(mapping_file)
    registry = load_registry(config.sources_dir)
    taken = {e.wikidata: e.id for e in registry.values() if e.wikidata}
    out, errors, chosen = Accepted(), [], {}
    for row in ms.rows:
        loc = Location(str(ms.path), row["_line"])
        if (row.get("predicate_modifier") or "") == "Not":
            out.refused += 1
            continue
        if not (row.get("reviewer_id") or row.get("reviewer_label")):
            out.unreviewed += 1
            continue
        try:
            entry = _entry(ms, row, loc, registry, today, Iris(config.base_iri).entity_ns)
        except AnnotationError as exc:
            errors.append(exc)
            continue
        eid, qid = entry["id"], entry["wikidata"]
        ent = registry[eid]
        if ent.wikidata == qid:
            out.already += 1
        elif ent.wikidata:
            errors.append(AnnotationError(f"{eid} is already linked to {ent.wikidata} ({ent.link.location}); "
                                          "remove that link first", _at(loc, "subject_id")))
        elif qid in taken:
            errors.append(AnnotationError(f"{qid} is already the link of {taken[qid]}", _at(loc, "object_id")))
        elif eid in chosen:
            errors.append(AnnotationError(f"a second accepted row for {eid} (the first is line "
                                          f"{chosen[eid][1].line}): accept one", _at(loc, "subject_id")))
        elif any(e["wikidata"] == qid for e, _ in chosen.values()):
            errors.append(AnnotationError(f"{qid} is accepted for two entities", _at(loc, "object_id")))
        else:
            chosen[eid] = (entry, loc)
    if errors:
        raise InputErrors(errors)
    if chosen:
        errors = _verify_on_wikidata(config, chosen, registry, client)
        if errors:
            raise InputErrors(errors)
    out.links = [entry for entry, _ in chosen.values()]
    out.path = Path(config.sources_dir) / LINKS_FILE
    if out.links:
        append_links(config.sources_dir, out.links, ms.path)
    return out


def _at(loc: Location, col: str) -> Location:
    return Location(loc.path, loc.line, col)


def _entry(ms: sssom.MappingSet, row: dict, loc: Location, registry, today, id_ns: str) -> dict:
    """One reviewed row → one entry of links.yaml; any bad field is an error naming its column."""
    iri = ms.expand(row["subject_id"], _at(loc, "subject_id"))
    eid = iri[len(id_ns):] if iri.startswith(id_ns) else None
    if not eid or eid not in registry:
        raise AnnotationError(f"{row['subject_id']!r} is not an entity of the registry", _at(loc, "subject_id"))
    if row["predicate_id"] != "skos:exactMatch":
        raise AnnotationError(f"only skos:exactMatch rows become links, not {row['predicate_id']!r} (a related "
                              "match goes in wikidata/related.sssom.tsv)",
                              _at(loc, "predicate_id"))
    iri = ms.expand(row["object_id"], _at(loc, "object_id"))
    qid = iri[len(WD):] if iri.startswith(WD) else ""
    if not QID.match(qid):
        raise AnnotationError(f"{row['object_id']!r} is not a Wikidata item (wd:Q followed by digits)",
                              _at(loc, "object_id"))
    if row["mapping_justification"] not in JUSTIFICATIONS:
        raise AnnotationError(f"justification {row['mapping_justification']!r} is not one of "
                              f"{', '.join(JUSTIFICATIONS)}", _at(loc, "mapping_justification"))
    try:
        confidence = float(row.get("confidence") or "")
    except ValueError:
        confidence = -1.0
    if not 0 <= confidence <= 1:
        raise AnnotationError(f"confidence {row.get('confidence')!r} is not a number from 0 to 1",
                              _at(loc, "confidence"))
    reviewed = row.get("review_date") or today or date.today().isoformat()
    try:
        date.fromisoformat(reviewed)
    except ValueError:
        raise AnnotationError(f"{reviewed!r} is not a date (YYYY-MM-DD)", _at(loc, "review_date")) from None
    reviewer_id = ms.expand(row["reviewer_id"], _at(loc, "reviewer_id")) if row.get("reviewer_id") else None
    reviewer = row.get("reviewer_label") or row.get("reviewer_id")
    entry = {"id": eid, "wikidata": qid, "wikidata_label": row.get("object_label") or None}
    entry["wikidata_basis"] = (f"Proposed by {ms.metadata.get('mapping_tool', 'a matching tool')} "
                               f"({row['mapping_justification']}, confidence {confidence:g}) and reviewed "
                               f"by {reviewer} on {reviewed}; mapping set {ms.metadata['mapping_set_id']} "
                               f"({ms.path.name}, line {row['_line']}).")
    entry.update({"wikidata_confidence": confidence, "wikidata_justification": row["mapping_justification"],
                  "wikidata_reviewer": reviewer})
    if reviewer_id:
        entry["wikidata_reviewer_id"] = reviewer_id
    entry["wikidata_date"] = reviewed
    entry["wikidata_mapping_set"] = str(ms.metadata["mapping_set_id"])
    return entry


def _verify_on_wikidata(config, chosen: dict, registry, client) -> list:
    """Each accepted item must exist, not be a redirect, and have the expected type, now."""
    client = client or WikidataClient.from_config(config)
    check_type_table(client)
    items = fetch_items(client, [entry["wikidata"] for entry, _ in chosen.values()])
    errors = []
    for eid, (entry, loc) in chosen.items():
        item = items[entry["wikidata"]]
        problem = _drift(registry[eid], item, recorded_label=None, labels=False)
        if problem:
            errors.append(AnnotationError(f"{entry['wikidata']}: {problem[0]}", _at(loc, "object_id")))
        entry["wikidata_label"] = item.label or entry["wikidata_label"]   # as Wikidata has it now
        if entry["wikidata_label"] is None:
            del entry["wikidata_label"]
    return errors


def append_links(sources_dir, entries: list[dict], mapping_file) -> None:
    """Append entries to wikidata/links.yaml; if the registry then fails to load, put it back."""
    path = Path(sources_dir) / LINKS_FILE
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    text = old if old is not None else LINKS_HEADER
    if not text.endswith("\n"):
        text += "\n"
    text += f"# accepted {date.today().isoformat()} from {os.path.basename(mapping_file)}\n"
    text += yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)
    _write_atomic(path, text)
    try:
        load_registry(sources_dir)
    except KgError:
        if old is None:
            path.unlink()
        else:
            _write_atomic(path, old)
        raise


LINKS_HEADER = """\
# Links to Wikidata accepted by `kg link --accept` from reviewed SSSOM mapping sets.
# One entry per link, merged by the registry onto the entity it names (kg/registry.py):
# who reviewed it, how sure, from which mapping set. Entries are appended, never rewritten;
# to withdraw a link, delete its entry. Hand-checked ids go in the entity files instead.
"""


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# -- check --

@dataclass
class Drift:
    entity: str
    qid: str
    problems: list[str]


@dataclass
class Checked:
    links: int = 0
    drifted: list[Drift] = field(default_factory=list)
    by_class: Counter = field(default_factory=Counter)


def check(config, client: WikidataClient | None = None) -> Checked:
    """Ask Wikidata again about every link: deleted, redirected, of another type, relabelled."""
    registry = load_registry(config.sources_dir)
    linked = [e for e in registry.values() if e.wikidata]
    client = client or WikidataClient.from_config(config)
    check_type_table(client)
    items = fetch_items(client, [e.wikidata for e in linked])
    out = Checked(links=len(linked), by_class=Counter(e.cls for e in linked))
    for e in linked:
        problems = _drift(e, items[e.wikidata], e.link.label if e.link else None)
        if problems:
            out.drifted.append(Drift(e.id, e.wikidata, problems))
    return out


def _drift(entity, item, recorded_label: str | None, labels: bool = True) -> list[str]:
    if not item.exists:
        return ["does not exist on Wikidata (deleted, or never created)"]
    if item.redirect:
        return [f"is a redirect: it was merged into {item.redirect}"]
    problems = []
    expected = TYPE_RULES.get(entity.cls, ())
    if expected and item.has_class and not item.types & set(expected):
        problems.append("is not a " + " or ".join(f"{TYPES[t]} ({t})" for t in expected))
    if not labels:
        return problems
    if recorded_label and item.label != recorded_label:
        problems.append(f"label changed from {recorded_label!r} to {item.label!r}")
    elif not recorded_label:
        best = max((similarity(n, item.label or "") for n, _ in our_names(entity)), default=0.0)
        if best < 0.8:
            problems.append(f"label {item.label!r} is unlike ours ({entity.label!r})")
    return problems


def linked_by_class(config) -> Counter:
    """How many entities of each class carry a Wikidata link (no network)."""
    return Counter(e.cls for e in load_registry(config.sources_dir).values() if e.wikidata)


# -- what the CLI prints --

def propose_report(config, only, min_confidence, out, force) -> str:
    path = Path(out or Path(config.sources_dir) / "wikidata" / "proposals.sssom.tsv")
    _refuse_overwrite(path, force)       # before the searches, not after
    proposals = propose(config, only, min_confidence)
    write_proposals(config, proposals, path, force)
    entities = len({c.entity.id for c in proposals.rows})
    rejected = ", ".join(f"{n} {why}" for why, n in proposals.rejected.most_common()) or "none"
    return (f"proposed {len(proposals.rows)} candidate links for {entities} of {proposals.considered} "
            f"unlinked entities ({proposals.searches} searches); confidence: {proposals.confidence_spread()}\n"
            f"candidates left out: {rejected}; {proposals.below_threshold} below {min_confidence:g}\n"
            f"no candidate for {len(proposals.no_candidates)} entities\n"
            f"wrote {path}: review it (see its comment), then `kg link --accept {path}`")


def accept_report(config, mapping_file) -> str:
    result = accept(config, mapping_file)
    return (f"accepted {len(result.links)} links into {result.path}; skipped {result.unreviewed} unreviewed, "
            f"{result.refused} refused (Not), {result.already} already linked")


def check_report(config) -> tuple[str, int]:
    result = check(config)
    lines = [f"{d.entity} ({d.qid}): {'; '.join(d.problems)}" for d in result.drifted]
    by_class = ", ".join(f"{c} {n}" for c, n in sorted(result.by_class.items(), key=lambda kv: (-kv[1], kv[0])))
    lines.append(f"checked {result.links} links ({by_class}): {len(result.drifted)} drifted")
    return "\n".join(lines), len(result.drifted)


__all__ = ["propose", "write_proposals", "accept", "check", "corpus_dates", "linked_by_class"]
