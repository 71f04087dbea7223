"""SPARQL 1.1 (and Oxigraph's 1.2) terminals, read in linear time, as Oxigraph's parser reads them.

The terminals mirror spargebra's PEG grammar (lib/spargebra/src/parser.rs, 0.4.x, the parser of
pyoxigraph 0.5): whitespace is only space, tab, CR and LF; a comment runs from '#' to the end of
the line; names, prefixed names, variables, blank node labels and numbers are read greedily, as
a PEG reads them (no backtracking into a repetition). Every pattern is anchored at the current
position, its alternatives start with different characters, and its repetitions are possessive
(`*+`, `++`: what they took is never given back), so no pattern backtracks and the lexer is
linear in the query's length. Whether a '<' opens an IRI or is the comparison operator is the
caller's decision (see kg.query_analysis): the lexer reads what it is told to expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# PN_CHARS_BASE, PN_CHARS_U, PN_CHARS as in the grammar (and spargebra), as regex classes.
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD")
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"

WHITESPACE = re.compile(r"(?:[ \t\r\n]++|#[^\r\n]*+)++")
# PN_PREFIX: PN_CHARS_BASE PN_CHARS* ('.'+ PN_CHARS+)*  (classes disjoint from '.': linear)
WORD = re.compile(f"[{_BASE}][{_CHARS}]*+(?:\\.++[{_CHARS}]++)*+")
# PN_LOCAL as spargebra has it: one optional trailing group of dots and characters
LOCAL = re.compile(f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*+(?:\\.++(?:[{_CHARS}:]|{_PLX})++)?+")
VARNAME = re.compile(f"[{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*+")
BNODE = re.compile(f"_:[{_U}0-9][{_CHARS}]*+(?:\\.++[{_CHARS}]++)*+")
NUMBER = re.compile(r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+"
                    r"|[0-9]*\.[0-9]+|[0-9]+")
LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+")
# IRIREF as the W3C grammar has it, plus the \u escapes spargebra accepts inside IRIs
IRIREF = re.compile(r"<((?:[^<>\"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+)>")
# what spargebra reads as an IRI before checking it: anything up to the next '>'
LOOSE_IRIREF = re.compile(r"<[^>\n]*+>")
STRING1 = re.compile(r"'(?:[^'\\\n\r]++|\\.)*+'")
# a long string's body ends before the first unescaped run of three quotes, as in spargebra
LONG1 = re.compile(r"(?:[^'\\]++|\\[\s\S]|'(?!''))*+")
LONG2 = re.compile(r'(?:[^"\\]++|\\[\s\S]|"(?!""))*+')
STRING2 = re.compile(r'"(?:[^"\\\n\r]++|\\.)*+"')
PUNCT = re.compile(r"\|\||&&|!=|<=|>=|\^\^|\)>>|[(){}\[\].,;*/|^?+\-!=>~]")
_ESCAPES = re.compile(r"\\(?:[tbnrf\"'\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# kinds of token
IRI, PNAME, WORD_, VAR, STRING, NUMBER_, BNODE_, LANG, OP, END = (
    "iri", "pname", "word", "var", "string", "number", "bnode", "lang", "op", "end")


class LexError(Exception):
    """No terminal of the grammar starts at `pos`; `expected` says what would have."""

    def __init__(self, pos: int, expected: str):
        super().__init__(expected)
        self.pos = pos
        self.expected = expected


@dataclass(slots=True)
class Token:
    kind: str
    text: str       # the token as written (an IRI's content without its brackets)
    pos: int        # offset of its first character
    end: int


def unescape_iri(content: str) -> str:
    """An IRIREF's content with its \\u and \\U escapes replaced, as spargebra does."""
    if "\\" not in content:
        return content
    return _UCHAR.sub(lambda m: _char(m.group(1) or m.group(2)), content)


def _char(hexdigits: str) -> str:
    code = int(hexdigits, 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\uFFFD"


def unescape_codepoints(text: str) -> str:
    """The whole query with \\uHHHH and \\UHHHHHHHH (H a hex digit) replaced, as spargebra does when built with
    its `standard-unicode-escaping` feature (invalid escapes are kept as written)."""
    def sub(m):
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)
    return _UCHAR.sub(sub, text)


def local_name(local: str) -> str:
    """A prefixed name's local part as spargebra expands it: every backslash dropped."""
    return local.replace("\\", "")


class Lexer:
    """Reads one token at a time; `next(iri_ok)` reads a '<' as an IRI only when `iri_ok`."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def next(self, iri_ok: bool) -> Token:
        text = self.text
        m = WHITESPACE.match(text, self.pos)
        pos = m.end() if m else self.pos
        if pos >= len(text):
            self.pos = pos
            return Token(END, "", pos, pos)
        c = text[pos]
        if c == "<":
            tok = self._angle(pos, iri_ok)
        elif c == "?" or c == "$":
            v = VARNAME.match(text, pos + 1)
            tok = Token(VAR, text[pos:v.end()], pos, v.end()) if v else Token(OP, c, pos, pos + 1)
        elif c == '"' or c == "'":
            tok = self._string(pos, c)
        elif c == "_" and text.startswith("_:", pos):
            b = BNODE.match(text, pos)
            if not b:
                raise LexError(pos, "a blank node label after '_:'")
            tok = Token(BNODE_, b.group(), pos, b.end())
        elif c == ":" or WORD.match(text, pos):
            tok = self._name(pos)
        elif c == "@":
            t = LANGTAG.match(text, pos)
            if not t:
                raise LexError(pos, "a language tag after '@'")
            tok = Token(LANG, t.group(), pos, t.end())
        elif "0" <= c <= "9" or (c == "." and NUMBER.match(text, pos)):
            n = NUMBER.match(text, pos)
            tok = Token(NUMBER_, n.group(), pos, n.end())
        else:
            p = PUNCT.match(text, pos)
            if not p:
                raise LexError(pos, f"a SPARQL token, not {c!r}")
            tok = Token(OP, p.group(), pos, p.end())
        self.pos = tok.end
        return tok

    def _angle(self, pos: int, iri_ok: bool) -> Token:
        text = self.text
        if not iri_ok:            # the comparison operator, as spargebra reads it after an operand
            size = 2 if text.startswith("<=", pos) else 1
            return Token(OP, text[pos:pos + size], pos, pos + size)
        if text.startswith("<<(", pos):
            return Token(OP, "<<(", pos, pos + 3)
        if text.startswith("<<", pos):
            return Token(OP, "<<", pos, pos + 2)
        m = IRIREF.match(text, pos)
        if m and ("\\" not in m.group(1) or all(_is_char(u.group(1) or u.group(2))
                                                  for u in _UCHAR.finditer(m.group(1)))):
            return Token(IRI, m.group(1), pos, m.end())
        loose = LOOSE_IRIREF.match(text, pos)
        shown = loose.group() if loose and loose.end() - pos <= 80 else "<"
        raise LexError(pos, f"an IRI: {shown} is not one (spaces, quotes, '<', '{{', '}}', '|', '^', "
                            "'`' and '\\' other than \\u escapes are not allowed in IRIs)")

    def _string(self, pos: int, quote: str) -> Token:
        text = self.text
        if text.startswith(quote * 3, pos):
            body = (LONG1 if quote == "'" else LONG2).match(text, pos + 3)
            if not text.startswith(quote * 3, body.end()):
                raise LexError(pos, f"the end of the long string opened here ({quote * 3})")
            tok = Token(STRING, text[pos:body.end() + 3], pos, body.end() + 3)
        else:
            m = (STRING1 if quote == "'" else STRING2).match(text, pos)
            if not m:
                raise LexError(pos, f"the end of the string opened here ({quote}) on the same line")
            tok = Token(STRING, m.group(), pos, m.end())
        bad = _bad_escape(tok.text)
        if bad >= 0:
            raise LexError(pos + bad, "a string escape: \\t \\b \\n \\r \\f \\\" \\' \\\\ \\uHHHH or \\UHHHHHHHH")
        return tok

    def _name(self, pos: int) -> Token:
        text = self.text
        w = WORD.match(text, pos)
        end = w.end() if w else pos
        if end < len(text) and text[end] == ":":
            local = LOCAL.match(text, end + 1)
            stop = local.end() if local else end + 1
            return Token(PNAME, text[pos:stop], pos, stop)
        return Token(WORD_, text[pos:end], pos, end)


def _bad_escape(literal: str) -> int:
    """Offset of the first invalid escape in a string token, or -1.

    A \\u escape naming no character (a surrogate, or past U+10FFFF) is invalid too: spargebra
    then drops its reading of a long string and reads '' followed by a new string instead,
    which would show it text this lexer took for string content."""
    i = literal.find("\\")
    while i >= 0:
        m = _ESCAPES.match(literal, i)
        if not m or (m.end() - i > 2 and not _is_char(literal[i + 2:m.end()])):
            return i
        i = literal.find("\\", m.end())
    return -1


def _is_char(hexdigits: str) -> bool:
    code = int(hexdigits, 16)
    return code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of offset `pos`."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - text.rfind("\n", 0, pos)
