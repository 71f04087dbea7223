"""Planting statements in the fixture corpus and reading where `kg check` refused them."""

from pathlib import Path

import pytest

from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.errors import InputError

QUOTE = "The Soviet had 562 deputies"


def add_entities(corpus_dir: Path, lines: str) -> None:
    """Add registry lines (`- {id: …, class: …, label: …}`) to the fixture's registry."""
    entities = corpus_dir / "entities" / "all.yaml"
    entities.write_text(entities.read_text(encoding="utf-8") + lines, encoding="utf-8")


def bundled(source: str) -> dict:
    """The bundled corpus's statements of one source, by id."""
    return {st.id: st for st in load_corpus(PROJECT_ROOT / "sources").annotations.statements if st.source == source}


def append(corpus_dir: Path, text: str) -> int:
    """Append statements to the fixture's annotation file; the line of the first appended line."""
    path = corpus_dir / "annotations" / "chronicle.yaml"
    old = path.read_text(encoding="utf-8")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def error(corpus_dir: Path, text: str) -> tuple[int, str]:
    """Append statements that must be refused; the first appended line and the error's text."""
    line = append(corpus_dir, text)
    with pytest.raises(InputError) as exc:
        load_corpus(corpus_dir)
    return line, str(exc.value)


def line_of(error_line: str) -> int:
    """The line number an error line gives for the fixture's annotation file."""
    return int(error_line.split("chronicle.yaml:", 1)[1].split(":", 1)[0])


def refused(corpus_dir: Path, statement: str, field: str, message: str) -> tuple[int, int]:
    """Plant one statement (the fixture's quote added) that `kg check` must refuse with `message`
    for `field`; the statement's first line and the line the refusal names."""
    line, text = error(corpus_dir, f"  - {statement}\n    quote: \"{QUOTE}\"\n")
    hits = [ln for ln in text.splitlines() if message in ln]
    assert hits and f'field "{field}"' in hits[0], text
    return line, line_of(hits[0])


def refused_on_its_last_line(corpus_dir: Path, statement: str, field: str, message: str) -> None:
    """Plant a statement whose last line is the refused field: the refusal names that very line."""
    line, at = refused(corpus_dir, statement, field, message)
    assert at == line + statement.count("\n"), (line, at)
