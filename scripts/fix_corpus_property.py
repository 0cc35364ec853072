"""Properties of ``flake8-pickle fix`` on real code: the unpacked wheels of Django and Celery.

Usage:

    python scripts/fix_corpus_property.py                    # django and celery, with --unsafe-fixes
    python scripts/fix_corpus_property.py --corpus celery     # one corpus (any PyPI name works)
    python scripts/fix_corpus_property.py --safe-only        # without --unsafe-fixes
    python scripts/fix_corpus_property.py --offline          # never call pip; use what is cached
    python scripts/fix_corpus_property.py --keep             # keep the fixed copies; print where

Not part of the test suite (a run takes about a minute). Corpora are the ones
``scripts/corpus_report.py`` and ``benchmarks/run.py`` use: the ``.py`` files of
a wheel unpacked under ``benchmarks/.cache/corpora/<name>/``; a missing one is
fetched with ``pip download --no-deps --only-binary=:all: NAME -d
benchmarks/.cache/wheels`` and unpacked (by ``corpus_report.wheel_corpus``).
The cache itself is never modified.

For each corpus: copy it to a temporary directory, lint the copy with flake8
(``--isolated --select PKL``, the installed plugin), then run
``flake8-pickle fix --isolated [--unsafe-fixes] DIR`` twice, in-process through
``flake8_pickle.fix.cli.main``, and check:

(a) fixed point: the second run changes no byte and reports no fix;
(b) untouched files: a file the first run reported no fix for, and a file
    flake8 reported no PKL finding in, is byte-identical to the original;
(c) changed files: each still parses (``ast`` and libcst); re-linted with
    flake8, it reports no code more often than before, and each fixed code at
    most (before - fixed) times; each fixed code was reported by flake8 before.

Prints one line per corpus and a total: files, files flake8 reported findings
in, files changed, fixes per code, findings left unfixed, files skipped by the
fixer, and violations (each violation is listed). Exit status: 0 when every
property holds, 1 on a violation, 2 when a corpus is unavailable.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import libcst as cst  # noqa: E402

from flake8_pickle.fix.cli import iter_python_files, main as fix_main  # noqa: E402

DEFAULT_CORPORA = ("django", "celery")
#: ``path:line: PKLnnn fixed (safe)`` / ``... not fixed: reason`` lines of the fixer's report.
_REPORT = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<code>PKL\d+) (?P<status>fixed|not fixed)\b")
_SKIPPED = re.compile(r"^(?P<path>.+?): (?:skipped|not written): (?P<reason>.*)$")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _corpus_report():
    """``scripts/corpus_report.py`` as a module (its corpus cache and download)."""
    spec = importlib.util.spec_from_file_location("corpus_report", REPO / "scripts" / "corpus_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_report", module)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- running


@dataclass
class FixRun:
    """What one ``flake8-pickle fix`` run reported: fixes and refusals per file, skipped files."""

    exit_code: int
    fixed: Dict[str, Counter] = field(default_factory=dict)
    unfixed: Counter = field(default_factory=Counter)
    skipped: Dict[str, str] = field(default_factory=dict)
    summary: str = ""


def run_fixer(root: Path, unsafe: bool) -> FixRun:
    """``flake8-pickle fix --isolated [--unsafe-fixes] ROOT`` in-process; its report parsed."""
    argv = ["fix", "--isolated", str(root)] + (["--unsafe-fixes"] if unsafe else [])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = fix_main(argv)
    run = FixRun(code)
    for line in out.getvalue().splitlines() + err.getvalue().splitlines():
        match = _REPORT.match(line)
        if match:
            path = str(Path(match.group("path")).relative_to(root))
            if match.group("status") == "fixed":
                run.fixed.setdefault(path, Counter())[match.group("code")] += 1
            else:
                run.unfixed[match.group("code")] += 1
            continue
        skipped = _SKIPPED.match(line)
        if skipped:
            run.skipped[str(Path(skipped.group("path")).relative_to(root))] = skipped.group("reason")
        elif line.startswith("flake8-pickle:"):
            run.summary = line
    return run


def flake8_codes(root: Path, files: Sequence[str]) -> Dict[str, Counter]:
    """PKL codes flake8 reports per file (relative path -> Counter), ``--isolated --select PKL``."""
    out: Dict[str, Counter] = {}
    if not files:
        return out
    proc = subprocess.run(
        [
            sys.executable, "-m", "flake8", "--isolated", "--select", "PKL",
            "--format", "%(path)s\t%(code)s", *files,
        ],
        cwd=root, capture_output=True, text=True, check=False,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"flake8 failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    for line in proc.stdout.splitlines():
        path, _, code = line.rpartition("\t")
        if path:
            out.setdefault(str(Path(path)), Counter())[code] += 1
    return out


def snapshot(root: Path, files: Sequence[str]) -> Dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in files}


def parse_problem(data: bytes, name: str) -> Optional[str]:
    """Why ``data`` no longer parses (by ``ast`` or libcst), or None."""
    try:
        ast.parse(data, filename=name)
        cst.parse_module(data)
    except (SyntaxError, ValueError, cst.ParserSyntaxError) as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


# --------------------------------------------------------------------------- the properties


@dataclass
class Result:
    name: str
    version: str
    files: int = 0
    files_with_findings: int = 0
    changed: int = 0
    fixed: Counter = field(default_factory=Counter)
    unfixed: Counter = field(default_factory=Counter)
    skipped: int = 0
    violations: List[str] = field(default_factory=list)
    seconds: float = 0.0


def check_corpus(name: str, version: str, source: Path, unsafe: bool, workdir: Path) -> Result:
    result = Result(name, version)
    started = time.perf_counter()
    root = workdir / name
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("__pycache__"))
    files = sorted(str(Path(p).relative_to(root)) for p in iter_python_files([str(root)]))
    result.files = len(files)
    original = snapshot(root, files)
    log(f"{name}: {len(files)} files; linting the copy ...")
    before = flake8_codes(root, files)
    result.files_with_findings = sum(1 for counts in before.values() if counts)

    log(f"{name}: fix, first run ...")
    first = run_fixer(root, unsafe)
    after_first = snapshot(root, files)
    log(f"{name}: fix, second run ...")
    second = run_fixer(root, unsafe)
    after_second = snapshot(root, files)

    result.skipped = len(first.skipped)
    result.unfixed = first.unfixed
    for counts in first.fixed.values():
        result.fixed.update(counts)
    violations = result.violations

    # (a) fixed point
    for path in files:
        if after_second[path] != after_first[path]:
            violations.append(f"{name}/{path}: (a) the second run changed the file")
    if second.fixed:
        total = sum(sum(c.values()) for c in second.fixed.values())
        violations.append(f"{name}: (a) the second run reported {total} more fixes ({second.summary})")

    # (b) untouched files
    changed = [path for path in files if after_first[path] != original[path]]
    result.changed = len(changed)
    for path in changed:
        if path not in first.fixed:
            violations.append(f"{name}/{path}: (b) changed, but the fixer reported no fix in it")
        if not before.get(path):
            violations.append(f"{name}/{path}: (b) changed, but flake8 reported no PKL finding in it")
    for path in first.fixed:
        if path not in changed:
            violations.append(f"{name}/{path}: the fixer reported fixes but the file is unchanged")

    # (c) changed files parse and re-lint without the fixed findings, and without new ones
    for path in changed:
        problem = parse_problem(after_first[path], path)
        if problem:
            violations.append(f"{name}/{path}: (c) does not parse after the fix: {problem}")
    relint = flake8_codes(root, changed)
    for path in changed:
        was, now, fixed = before.get(path, Counter()), relint.get(path, Counter()), first.fixed.get(path, Counter())
        for code, count in sorted(fixed.items()):
            if was[code] < count:
                violations.append(f"{name}/{path}: (c) {count} {code} fixed, flake8 reported {was[code]} before")
            elif now[code] > was[code] - count:
                violations.append(
                    f"{name}/{path}: (c) {code} still reported {now[code]} times (before {was[code]}, fixed {count})"
                )
        for code, count in sorted(now.items()):
            if count > was[code]:
                violations.append(f"{name}/{path}: (c) new finding: {code} {was[code]} -> {count}")
    result.seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------- output


def _codes(counter: Counter) -> str:
    return ", ".join(f"{code} {n}" for code, n in sorted(counter.items())) or "-"


def print_summary(results: Sequence[Result], unsafe: bool) -> None:
    mode = "--unsafe-fixes" if unsafe else "safe fixes only"
    print(f"flake8-pickle fix, twice, {mode}")
    header = ("corpus", "files", "w/ findings", "changed", "fixed", "unfixed", "skipped", "violations", "time")
    rows: List[Tuple[str, ...]] = []
    for r in results:
        rows.append(
            (
                f"{r.name} {r.version}", str(r.files), str(r.files_with_findings), str(r.changed),
                str(sum(r.fixed.values())), str(sum(r.unfixed.values())), str(r.skipped),
                str(len(r.violations)), f"{r.seconds:.0f}s",
            )
        )
    if len(results) > 1:
        rows.append(
            (
                "total",
                *(
                    str(sum(int(row[i]) for row in rows))
                    for i in range(1, len(header) - 1)
                ),
                f"{sum(r.seconds for r in results):.0f}s",
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    for row in (header, *rows):
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
    for r in results:
        print(f"{r.name}: fixed per code: {_codes(r.fixed)}; left unfixed per code: {_codes(r.unfixed)}")
    violations = [v for r in results for v in r.violations]
    print(f"violations: {len(violations)}")
    for violation in violations:
        print(f"  {violation}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=",".join(DEFAULT_CORPORA), help="comma-separated wheel names")
    parser.add_argument("--safe-only", action="store_true", help="run without --unsafe-fixes")
    parser.add_argument("--offline", action="store_true", help="never call pip")
    parser.add_argument("--keep", action="store_true", help="keep the fixed copies")
    args = parser.parse_args(argv)
    report = _corpus_report()
    unsafe = not args.safe_only
    workdir = Path(tempfile.mkdtemp(prefix="fix-corpus-property-"))
    results: List[Result] = []
    try:
        for name in [n.strip() for n in args.corpus.split(",") if n.strip()]:
            corpus = report.wheel_corpus(name, args.offline)
            if corpus is None:
                log(f"{name}: no corpus (not cached{' and --offline' if args.offline else ', download failed'})")
                return 2
            results.append(check_corpus(corpus.name, corpus.version, corpus.root, unsafe, workdir))
    finally:
        if args.keep:
            log(f"fixed copies kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_summary(results, unsafe)
    return 1 if any(r.violations for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
