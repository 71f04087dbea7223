"""Planting statements in the fixture corpus and reading where `kg check` refused them."""

from pathlib import Path

import pytest

from kg.corpus import load_corpus
from kg.errors import InputError

QUOTE = "The Soviet had 562 deputies"


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
