"""Read the expected-finding annotations of fixture files.

A fixture line that should be reported carries a comment::

    data = pickle.loads(request.data)  # expect: PKL101 "request.data"
    copy.deepcopy(pool)  # expect: PKL201, PKL902

Each entry is a code, optionally followed by a quoted substring of the expected
message (double or single quotes; a backslash escapes the next character). A further
``#`` after the entries starts a free-form remark. Annotations are read from comment
tokens only, so ``"# expect: PKL101"`` inside a string literal is not one, and
nothing is ever evaluated.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

Expectation = Tuple[str, Optional[str]]

_MARKER = re.compile(r"(?:^|\s)#\s*expect\s*:(?P<body>.*)$")
_ENTRY = re.compile(
    r"""\s*(?P<code>[A-Z]{1,3}[0-9]{1,3})\b"""
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
        entries.append((match.group("code"), None if text is None else _ESCAPE.sub(r"\1", text)))
        position = match.end()
        if position == len(body) or body[position] == "#":
            return entries
        if body[position] != ",":
            raise AnnotationError(f"{where}: expected ',' or the end of the comment at {body[position:]!r}")
        position += 1


def parse_expectation_source(source: str, filename: str = "<string>") -> Dict[int, List[Expectation]]:
    """Line number -> expected (code, message substring or None) pairs, from source text."""
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
    """Line number -> expected (code, message substring or None) pairs for a fixture file.

    The file is decoded as Python decodes it (PEP 263 coding cookie, BOM).
    """
    with tokenize.open(path) as handle:
        source = handle.read()
    return parse_expectation_source(source, str(path))
