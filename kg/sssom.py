"""SSSOM/TSV mapping sets: the YAML metadata block (`#`-prefixed) and the tab-separated mappings.

Specification: https://mapping-commons.github.io/sssom/spec-formats-tsv/ (data model:
https://mapping-commons.github.io/sssom/spec-model/). Identifiers are CURIEs resolved with the
set's `curie_map`; the built-in prefixes need no declaration. Columns are written in the order
of the Mapping class's slots; values are quoted as the spec's RFC 4180 rules say.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.errors import AnnotationError, InputErrors, Location

BUILTIN_PREFIXES = {
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sssom": "https://w3id.org/sssom/",
}
# The Mapping class's slots in the order of the spec's "Slots" table (the columns we may write).
MAPPING_SLOTS = [
    "record_id", "subject_id", "subject_label", "subject_category", "predicate_id", "predicate_label",
    "predicate_modifier", "object_id", "object_label", "object_category", "mapping_justification",
    "author_id", "author_label", "reviewer_id", "reviewer_label", "creator_id", "creator_label",
    "license", "subject_type", "subject_source", "subject_source_version", "object_type",
    "object_source", "object_source_version", "predicate_type", "mapping_provider", "mapping_source",
    "mapping_cardinality", "cardinality_scope", "mapping_tool", "mapping_tool_id",
    "mapping_tool_version", "mapping_date", "publication_date", "review_date", "confidence",
    "curation_rule", "curation_rule_text", "subject_match_field", "object_match_field",
    "match_string", "subject_preprocessing", "object_preprocessing", "similarity_score",
    "similarity_measure", "see_also", "issue_tracker_item", "other", "comment",
]
# The MappingSet class's slots, in the spec's order (curie_map first, as canonical writers do).
SET_SLOTS = [
    "curie_map", "sssom_version", "mapping_set_id", "mapping_set_version", "mapping_set_source",
    "mapping_set_title", "mapping_set_description", "mapping_set_confidence", "creator_id",
    "creator_label", "license", "subject_type", "subject_source", "subject_source_version",
    "object_type", "object_source", "object_source_version", "predicate_type", "mapping_provider",
    "cardinality_scope", "mapping_tool", "mapping_tool_id", "mapping_tool_version", "mapping_date",
    "publication_date", "subject_match_field", "object_match_field", "subject_preprocessing",
    "object_preprocessing", "similarity_measure", "curation_rule", "curation_rule_text", "see_also",
    "issue_tracker", "other", "comment", "extension_definitions",
]
REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
ENTITY_REFERENCE_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification",
                            "author_id", "reviewer_id", "creator_id")


@dataclass
class MappingSet:
    metadata: dict
    rows: list[dict] = field(default_factory=list)   # each row also has "_line", its line in the file
    path: Path | None = None

    @property
    def curie_map(self) -> dict[str, str]:
        return {**BUILTIN_PREFIXES, **(self.metadata.get("curie_map") or {})}

    def expand(self, curie: str, loc: Location | None = None) -> str:
        """A CURIE → its IRI; an undeclared prefix is an error (the spec's MUST)."""
        prefix, sep, local = curie.partition(":")
        if not sep or prefix not in self.curie_map:
            raise AnnotationError(f"{curie!r} is not a CURIE with a prefix of the curie_map "
                                  f"({', '.join(sorted(self.curie_map))})", loc)
        return self.curie_map[prefix] + local


def write(path, metadata: dict, rows: list[dict], keep_empty: tuple[str, ...] = ()) -> None:
    """Write a set in embedded-metadata mode; columns with no value are left out unless listed
    in `keep_empty` (the columns a reviewer fills in)."""
    used = [c for c in MAPPING_SLOTS if c in keep_empty or any(r.get(c) not in (None, "") for r in rows)]
    out = io.StringIO()
    for key in SET_SLOTS:
        value = metadata.get(key)
        if value in (None, "", {}, []):
            continue
        if isinstance(value, dict):
            out.write(f"#{key}:\n")
            out.writelines(f"#  {k}: {_scalar(v)}\n" for k, v in sorted(value.items()))
        else:
            out.write(f"#{key}: {_scalar(value)}\n")
    writer = csv.writer(out, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(used)
    for r in rows:
        writer.writerow([_cell(r.get(c)) for c in used])
    Path(path).write_text(out.getvalue(), encoding="utf-8")


def _scalar(value) -> str:
    """A YAML scalar in plain style when it reads back the same, else double-quoted (canonical)."""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text                      # a date, which SSSOM types as a date
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok and "\n" not in text else json.dumps(text, ensure_ascii=False)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{round(value, 3):g}"
    return str(value)


def read(path) -> MappingSet:
    """Parse a SSSOM/TSV file (embedded metadata); every problem names the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnnotationError(f"cannot read the mapping set: {exc}", Location(str(path))) from None
    lines = text.split("\n")
    meta_lines = []
    for line in lines:
        if not line.startswith("#"):
            break
        meta_lines.append(line[1:])
    errors: list = []
    where = Location(str(path), 1)
    try:
        metadata = yaml.safe_load(_dedent(meta_lines)) if meta_lines else None
    except yaml.YAMLError as exc:
        raise AnnotationError(f"the metadata block is not YAML: {exc}", where) from None
    if not isinstance(metadata, dict):
        raise AnnotationError("no metadata block: a SSSOM/TSV file starts with `#`-prefixed YAML "
                              "(mapping_set_id, license, curie_map)", where)
    for key in ("mapping_set_id", "license"):
        if not metadata.get(key):
            errors.append(AnnotationError(f"the metadata block lacks {key} (required by SSSOM)", where))
    if not isinstance(metadata.get("curie_map") or {}, dict):
        errors.append(AnnotationError("curie_map is a map of prefix names to IRI prefixes", where))
        metadata["curie_map"] = {}
    ms = MappingSet(metadata, path=path)
    body = "\n".join(lines[len(meta_lines):])
    reader = csv.reader(io.StringIO(body), delimiter="\t", quotechar='"')
    header = next(reader, None)
    first = len(meta_lines) + 1
    if not header:
        raise AnnotationError("no header line of column names after the metadata block",
                              Location(str(path), first))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        errors.append(AnnotationError(f"missing required column(s): {', '.join(missing)}",
                                      Location(str(path), first)))
    for cells in reader:
        line = first + reader.line_num - 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            errors.append(AnnotationError(f"{len(cells)} values for {len(header)} columns",
                                          Location(str(path), line)))
            continue
        row = {h: c.strip() for h, c in zip(header, cells)}
        row["_line"] = line
        for col in ENTITY_REFERENCE_COLUMNS:
            for value in filter(None, (row.get(col) or "").split("|")):
                try:
                    ms.expand(value, Location(str(path), line, col))
                except AnnotationError as exc:
                    errors.append(exc)
        ms.rows.append(row)
    if errors:
        raise InputErrors(errors)
    return ms


def _dedent(lines: list[str]) -> str:
    """The spec allows the same number of spaces after every `#`: strip that common indent."""
    indents = [len(l) - len(l.lstrip(" ")) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(l[cut:] for l in lines)
