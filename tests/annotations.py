"""Read the expected-finding annotations of fixture files.

A fixture line that should be reported carries a comment::

    data = pickle.loads(request.data)  # expect: PKL101@8 "request.data"
    copy.deepcopy(pool)  # expect: PKL201@1, PKL902@1

Each entry is a code, then optionally ``@`` and the 1-based column flake8 prints for
the finding, then optionally a quoted substring of the expected message (double or
single quotes; a backslash escapes the next character). The fixture suites require
the column on every entry (:func:`missing_columns`); the parser accepts entries
without one for other uses. A further
``#`` after the entries starts a free-form remark. Annotations are read from comment
tokens only, so ``"# expect: PKL101"`` inside a string literal is not one, and
nothing is ever evaluated.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple, Union


class Expectation(NamedTuple):
    """One expected finding on a line."""

    code: str
    #: A substring the message must contain, or None.
    text: Optional[str] = None
    #: The 1-based column flake8 prints, or None when the annotation gives none.
    column: Optional[int] = None


#: What a run reported on one line: (code, 1-based column, full message "PKLnnn text").
Reported = Tuple[str, int, str]

_MARKER = re.compile(r"(?:^|\s)#\s*expect\s*:(?P<body>.*)$")
_ENTRY = re.compile(
    r"""\s*(?P<code>[A-Z]{1,3}[0-9]{1,3})\b(?:@(?P<column>[0-9]+)\b)?"""
    r"""(?:\s+(?P<quote>["'])(?P<text>(?:\\.|(?!(?P=quote))[^\\])*)(?P=quote))?\s*"""
)
_ESCAPE = re.compile(r"\\(.)")


class AnnotationError(ValueError):
    """A malformed ``# expect:`` comment; the message gives the file and line."""


def _parse_body(body: str, where: str) -> List[Expectation]:
    """Parse the text after ``# expect:`` into (code, message substring) pairs."""
    entries: List[Expectation] = []
    position = 0
    while True:
        match = _ENTRY.match(body, position)
        if match is None:
            raise AnnotationError(f"{where}: expected a code such as PKL101 at {body[position:]!r}")
        text = match.group("text")
        column = match.group("column")
        entries.append(
            Expectation(
                match.group("code"),
                None if text is None else _ESCAPE.sub(r"\1", text),
                None if column is None else int(column),
            )
        )
        position = match.end()
        if position == len(body) or body[position] == "#":
            return entries
        if body[position] != ",":
            raise AnnotationError(f"{where}: expected ',' or the end of the comment at {body[position:]!r}")
        position += 1


def parse_expectation_source(source: str, filename: str = "<string>") -> Dict[int, List[Expectation]]:
    """Line number -> expected findings, from source text."""
    expectations: Dict[int, List[Expectation]] = {}
    readline = io.StringIO(source).readline
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type != tokenize.COMMENT:
                continue
            marker = _MARKER.search(token.string)
            if marker is None:
                continue
            line = token.start[0]
            expectations.setdefault(line, []).extend(_parse_body(marker.group("body"), f"{filename}:{line}"))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise AnnotationError(f"{filename}: cannot tokenize: {exc}") from exc
    return expectations


def parse_expectations(path: Union[str, Path]) -> Dict[int, List[Expectation]]:
    """Line number -> expected findings for a fixture file.

    The file is decoded as Python decodes it (PEP 263 coding cookie, BOM).
    """
    with tokenize.open(path) as handle:
        source = handle.read()
    return parse_expectation_source(source, str(path))


def missing_columns(path: Union[str, Path], expectations: Dict[int, List[Expectation]]) -> List[str]:
    """The annotations of a fixture that give no column (the fixture suites require one)."""
    return [
        f"{path}:{line}: {entry.code} has no @column"
        for line, entries in sorted(expectations.items())
        for entry in entries
        if entry.column is None
    ]


def compare(
    name: str, expected: Dict[int, List[Expectation]], found: Dict[int, List[Reported]]
) -> List[str]:
    """Mismatches between a file's annotations and what a run reported on it.

    Per line, the reported codes must be exactly the annotated ones (as a multiset); each
    annotation with a column must match a finding of its code at that column, and each with
    a message substring a finding of its code (at its column, when given) whose message holds it.
    """
    problems: List[str] = []
    for line in sorted(set(expected) | set(found)):
        entries = expected.get(line, [])
        reported = found.get(line, [])
        want = sorted(entry.code for entry in entries)
        got = sorted(code for code, _, _ in reported)
        if want != got:
            problems.append(f"{name}:{line}: expected {want or 'nothing'}, reported {got or 'nothing'}")
            continue
        want_at = sorted((e.code, e.column) for e in entries if e.column is not None)
        got_at = sorted((code, column) for code, column, _ in reported)
        unmatched = _unmatched(want_at, got_at)
        if unmatched:
            problems.append(
                f"{name}:{line}: expected {['%s@%d' % c for c in unmatched]}, "
                f"reported {['%s@%d' % c for c in got_at]}"
            )
            continue
        for entry in entries:
            if entry.text is None:
                continue
            messages = [
                text for code, column, text in reported
                if code == entry.code and entry.column in (None, column)
            ]
            if not any(entry.text in text for text in messages):
                problems.append(f"{name}:{line}: {entry.code} message {messages} lacks {entry.text!r}")
    return problems


def _unmatched(wanted: Iterable[Tuple[str, int]], got: List[Tuple[str, int]]) -> List[Tuple[str, int]]:
    """The wanted (code, column) pairs that the reported ones do not cover, one for one."""
    left = list(got)
    missing = []
    for pair in wanted:
        if pair in left:
            left.remove(pair)
        else:
            missing.append(pair)
    return missing
