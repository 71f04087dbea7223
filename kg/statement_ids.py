"""Permanent statement ids: a statement's IRI must survive every correction of the statement.

A statement's id (the last part of `<base>statement/<source>/<id>`) is written in its annotation
as `id:`. It is first computed from the statement's content, as every id was before ids were
written down, so the IRIs published so far stay what they were; `kg annotations assign-ids`
writes that id into the files as text, touching nothing else. From then on the content may
change and the id does not.

`sources/statement-ids.yaml` says whether ids are required and lists the retired ids: ids of
removed statements, each with the reason its IRI gives (410 Gone). A statement merged into
another is listed by that one's `supersedes:` instead, and its IRI redirects there (301).
Format and examples: sources/README.md, "Statement ids".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from kg import yamlfile
from kg.errors import AnnotationError, InputErrors, Location
from kg.sources import SLUG

POLICY_FILE = "statement-ids.yaml"
ASSIGN_COMMAND = "kg annotations assign-ids"
# The id of the statement a source document makes about its own author (kg.triples.authorship).
RESERVED_IDS = {"authorship"}


def content_id(node) -> str:
    """The id computed from a statement's content: the id it has until its `id:` is written."""
    content = {k: v for k, v in node.items() if k != "id"}
    digest = hashlib.sha1(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return f"{node['subject']}-{str(node['predicate']).lower()}-{digest[:8]}"


@dataclass
class Retired:
    source: str
    id: str
    reason: str
    location: Location


@dataclass
class IdPolicy:
    required: bool = False                  # every statement must carry its id
    retired: list[Retired] = field(default_factory=list)


def load_policy(sources_dir, source_ids) -> IdPolicy:
    """Read `statement-ids.yaml` (absent: ids optional, none retired); errors name file and line."""
    path = Path(sources_dir) / POLICY_FILE
    if not path.exists():
        return IdPolicy()
    data = yamlfile.load(path)
    if data is None:
        return IdPolicy()
    if not isinstance(data, dict):
        raise AnnotationError("statement-ids.yaml is a mapping with 'required' and 'retired'", Location(str(path), 1))
    unknown = sorted(set(data) - {"required", "retired"})
    if unknown:
        raise AnnotationError(f"unknown key(s) {', '.join(unknown)}; the keys are required and retired",
                              data.loc(unknown[0]))
    required = data.get("required", False)
    if not isinstance(required, bool):
        raise AnnotationError("required is true or false", data.loc("required"))
    entries = data.get("retired") or []
    if not isinstance(entries, list):
        raise AnnotationError("retired is a list of {source, id, reason}", data.loc("retired"))
    policy = IdPolicy(required=required)
    errors = []
    for i, entry in enumerate(entries):
        try:
            policy.retired.append(_retired(entry, source_ids, yamlfile.item_loc(entries, i) or data.loc("retired")))
        except AnnotationError as exc:
            errors.append(exc)
    if errors:
        raise InputErrors(errors)
    return policy


def _retired(entry, source_ids, where: Location) -> Retired:
    if not isinstance(entry, dict):
        raise AnnotationError("a retired id is a mapping {source, id, reason}", where)
    unknown = sorted(set(entry) - {"source", "id", "reason"})
    if unknown:
        raise AnnotationError("unknown field; a retired id has source, id and reason", entry.loc(unknown[0]))
    if entry.get("source") not in source_ids:
        raise AnnotationError(f"unknown source {entry.get('source')!r}; known: {', '.join(source_ids)}",
                              entry.loc("source"))
    sid = entry.get("id")
    if not isinstance(sid, str) or not SLUG.match(sid):
        raise AnnotationError(f"{sid!r} is not a lower-case-hyphenated id", entry.loc("id"))
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise AnnotationError("give the reason the id was retired: its IRI answers 410 Gone with it",
                              entry.loc("reason"))
    return Retired(entry["source"], sid, reason.strip(), entry.loc("id"))


def check_ids(statements, policy: IdPolicy, errors: list) -> None:
    """No id is used twice across the lives of statements: a retired or superseded id is never a
    current statement's, nor superseded twice, nor both superseded and retired."""
    current = {(st.source, st.id): st for st in statements}
    gone: dict[tuple[str, str], tuple[str, Location]] = {}     # (source, id) → (how, where)
    for r in policy.retired:
        key = (r.source, r.id)
        if key in gone:
            errors.append(AnnotationError(f"{r.id!r} of {r.source} is already retired at {gone[key][1]}", r.location))
            continue
        gone[key] = ("retired", r.location)
        if key in current:
            errors.append(AnnotationError(
                f"statement id {r.id!r} was retired ({r.location}) and may never be used again: delete this "
                f"id line and run `{ASSIGN_COMMAND}` to give the statement a new one",
                current[key].lines.get("id", current[key].location)))
    for st in statements:
        for old in st.supersedes:
            key = (st.source, old)
            loc = st.lines.get("supersedes", st.location)
            if key in current:
                errors.append(AnnotationError(
                    f"supersedes {old!r}, the id of a current statement ({current[key].location}); only the id "
                    "of a statement that was removed can be superseded", loc))
            elif key in gone:
                how, where = gone[key]
                errors.append(AnnotationError(f"{old!r} is already {how} at {where}: an id is superseded by one "
                                              "statement (301) or retired (410), once", loc))
            else:
                gone[key] = ("superseded", loc)


def insert_ids(text: str, path) -> tuple[str, int]:
    """The text with an `id:` written into every statement that has none, and how many were
    written; every other character stays where it was."""
    data = yamlfile.loads(text, path)
    nodes = [n for n in (data.get("statements") or []) if isinstance(n, dict)] if isinstance(data, dict) else []
    newline = "\r\n" if "\r\n" in text else "\n"
    inserts, errors = [], []
    for node in nodes:
        if "id" in node:
            continue
        if not isinstance(node.get("subject"), str) or not isinstance(node.get("predicate"), str):
            errors.append(AnnotationError("a statement needs its subject and predicate before it can have an id",
                                          node.loc()))
            continue
        sid = content_id(node)
        column = node.start - (text.rfind("\n", 0, node.start) + 1)
        # before the first key: in a block mapping a line `id: …` at the column of its keys, in a flow one an entry
        inserts.append((node.start, f"id: {sid}, " if node.flow else f"id: {sid}{newline}{' ' * column}"))
    if errors:
        raise InputErrors(errors)
    for offset, piece in sorted(inserts, reverse=True):
        text = text[:offset] + piece + text[offset:]
    return text, len(inserts)


@dataclass
class Assigned:
    files: dict[str, int] = field(default_factory=dict)      # file → ids written
    kept: int = 0                                             # statements that had an id


def assign_ids(sources_dir) -> Assigned:
    """Write the content id into every statement of sources/annotations/ that has none; all files or none."""
    out = Assigned()
    updates: list[tuple[Path, str]] = []
    errors: list = []
    for path in sorted((Path(sources_dir) / "annotations").glob("*.yaml")):
        try:
            old = yamlfile.read_text(path)
            new, count = insert_ids(old, path)
            if count:
                _same_content(old, new, path)
        except AnnotationError as exc:
            errors.append(exc)
            continue
        except InputErrors as exc:
            errors.extend(exc.errors)
            continue
        data = yamlfile.loads(old, path)
        if isinstance(data, dict):
            out.kept += sum(1 for n in data.get("statements") or [] if isinstance(n, dict) and "id" in n)
        out.files[str(path)] = count
        if count:
            updates.append((path, new))
    if errors:
        raise InputErrors(errors)
    for path, new in updates:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(new.encode("utf-8"))
        tmp.replace(path)
    return out


def _same_content(old: str, new: str, path) -> None:
    """The rewritten file reads as the old one, each statement given exactly its content id."""
    before, after = yamlfile.loads(old, path), yamlfile.loads(new, path)
    old_sts, new_sts = before.get("statements") or [], after.get("statements") or []

    def same(m, n) -> bool:
        if not isinstance(m, dict) or "id" in m:
            return m == n
        return n.get("id") == content_id(m) and {k: v for k, v in n.items() if k != "id"} == m

    rest = {k: v for k, v in before.items() if k != "statements"} == {k: v for k, v in after.items() if k != "statements"}
    if not (rest and len(old_sts) == len(new_sts) and all(same(m, n) for m, n in zip(old_sts, new_sts))):
        raise AnnotationError("writing the ids would change more than the ids; the file was left as it was",
                              Location(str(path)))
