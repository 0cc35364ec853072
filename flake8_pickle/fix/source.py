"""Reading and writing source files byte-faithfully, and the positional facts the fixer needs.

Nothing here knows about libcst: decoding (PEP 263 cookie, BOM), ``# noqa``,
byte-to-character columns, the enclosing scope of a line and the mapping of
lines between two versions of a file are plain text questions.
"""

from __future__ import annotations

import ast
import bisect
import difflib
import io
import os
import re
import tempfile
import tokenize
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

_UTF8_BOM = b"\xef\xbb\xbf"


class SourceError(ValueError):
    """A file that cannot be decoded or parsed; the message says why."""


@dataclass(frozen=True)
class Decoded:
    """The text of a file and what is needed to write it back byte for byte."""

    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """``text`` in the file's own encoding, with its BOM if it had one."""
        try:
            data = text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise SourceError(f"the fixed text cannot be encoded as {self.encoding}: {exc}") from exc
        return _UTF8_BOM + data if self.bom else data


def decode(data: bytes) -> Decoded:
    """Decode ``data`` as Python does (BOM, then coding cookie, else UTF-8); newlines untouched."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(str(exc)) from exc
    bom = data.startswith(_UTF8_BOM)
    if bom:
        data = data[len(_UTF8_BOM) :]
        encoding = "utf-8"
    elif encoding == "utf-8-sig":
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode as {encoding}: {exc}") from exc
    return Decoded(text, encoding, bom)


def parse(text: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` with its errors turned into :class:`SourceError` naming line and reason."""
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as exc:
        raise SourceError(f"line {exc.lineno}: {exc.msg}") from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SourceError(f"{type(exc).__name__}: {exc}") from exc


def write_atomically(
    path: str, data: bytes, mode: Optional[int] = None, durable: bool = True, keep: Optional[os.stat_result] = None
) -> None:
    """Replace ``path`` by ``data`` through a temporary file in the same directory.

    An interrupted run leaves either the old file or the new one, never a
    truncated mix; the file keeps its permission bits (or gets ``mode`` when given,
    for a new file). ``durable`` False skips the fsync: for a cache, whose entry a
    crash may leave empty (then unreadable, and recomputed). ``keep``, the file's
    status, also keeps its owner, group and extended attributes.
    """
    directory = os.path.dirname(os.path.abspath(path))
    if mode is None:
        mode = (keep or os.stat(path)).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if keep is not None:
            _copy_metadata(temporary, keep, path)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class ChangedMeanwhile(OSError):
    """The file on disk is no longer what the fixer read: someone else edited it."""


def replace_source(path: str, data: bytes, read: bytes) -> None:
    """Write the fixed ``data`` over the source file ``path``, which held ``read`` when it was read.

    - Through a symbolic link: the file it points to is fixed, and the link stays a link.
    - A file that changed since it was read is not replaced (:class:`ChangedMeanwhile`).
    - A file with one name is replaced atomically (a temporary file renamed over it) and keeps its
      permission bits, its owner and group where this process may set them, and its extended
      attributes. A file with several hard links is rewritten in place, so every name sees the fix.
    """
    real = os.path.realpath(path)
    with open(real, "rb") as handle:
        if handle.read() != read:
            raise ChangedMeanwhile(f"it changed since it was read ({path}); not written, run the fixer again")
    status = os.stat(real)
    if status.st_nlink > 1:
        with open(real, "r+b") as out:
            out.write(data)
            out.truncate()
            out.flush()
            os.fsync(out.fileno())
        return
    write_atomically(real, data, keep=status)


def _copy_metadata(temporary: str, status: os.stat_result, original: str) -> None:
    """Give the temporary file the original's owner, group and extended attributes, where allowed."""
    if hasattr(os, "chown") and (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(temporary, status.st_uid, status.st_gid)
        except OSError:
            pass  # not ours to give away: the new file keeps this process's owner
    if hasattr(os, "listxattr"):
        try:
            names = os.listxattr(original)
        except OSError:
            return
        for name in names:
            try:
                os.setxattr(temporary, name, os.getxattr(original, name))
            except OSError:
                pass


# flake8's own pattern for inline suppression comments: the bare form silences every code,
# the form with a colon and a list silences those codes or code prefixes.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_NOQA_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def noqa_silences(line: str, code: str) -> bool:
    """Whether a ``# noqa`` comment on ``line`` silences ``code``, as flake8 reads it."""
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    return code.startswith(tuple(_NOQA_CODE.findall(codes)))


def char_column(line: str, byte_column: int) -> int:
    """The character column of ``ast``'s UTF-8 byte offset ``byte_column`` in ``line``."""
    return len(line.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))


class ScopeMap:
    """The qualified name of the innermost function or class around each line.

    A finding is identified across two versions of a file by its code, its
    scope and its message (digits aside), so that lines moving does not matter.
    """

    def __init__(self, tree: ast.AST):
        self._spans: List[Tuple[int, int, str]] = []
        self._collect(tree, "")

    def _collect(self, node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                self._spans.append((child.lineno, child.end_lineno or child.lineno, name))
                self._collect(child, name + ".")
            else:
                self._collect(child, prefix)

    def scope_of(self, line: int) -> str:
        """``Outer.method`` for a line inside ``method`` of class ``Outer``; ``""`` at module level."""
        best = ""
        best_size = None
        for start, end, name in self._spans:
            if start <= line <= end and (best_size is None or end - start <= best_size):
                best, best_size = name, end - start
        return best


class LineMap:
    """Maps line numbers of a rewritten text back to the original text (unchanged lines exactly)."""

    def __init__(self, original: Sequence[str], current: Sequence[str]):
        self._starts: List[int] = []
        self._blocks: List[Tuple[int, int, int]] = []  # (current start, original start, length)
        matcher = difflib.SequenceMatcher(a=list(original), b=list(current), autojunk=False)
        for a, b, size in matcher.get_matching_blocks():
            if size:
                self._starts.append(b)
                self._blocks.append((b, a, size))

    def original_line(self, line: int) -> int:
        """The 1-based original line of 1-based current ``line`` (the nearest one before, if it changed)."""
        index = bisect.bisect_right(self._starts, line - 1) - 1
        if index < 0:
            return line
        current, original, size = self._blocks[index]
        return original + min(line - 1 - current, size - 1) + 1


def identity_of(code: str, message: str, scope: str) -> Tuple[str, str, str]:
    """How a finding is recognised after a rewrite: code, scope, and message with numbers blanked."""
    return code, scope, re.sub(r"\d+", "#", message)


def count_by_identity(findings: Sequence, scopes: ScopeMap) -> Dict[Tuple[str, str, str], int]:
    """How many findings share each identity."""
    counts: Dict[Tuple[str, str, str], int] = {}
    for finding in findings:
        key = identity_of(finding.code, finding.message, scopes.scope_of(finding.line))
        counts[key] = counts.get(key, 0) + 1
    return counts
