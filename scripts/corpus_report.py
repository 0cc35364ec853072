"""Per-package, per-code precision report of flake8-pickle over real code, beside bandit and ruff.

Usage:

    python scripts/corpus_report.py                                   # every corpus, plain text
    python scripts/corpus_report.py --markdown --findings docs/review/findings.tsv
    python scripts/corpus_report.py --corpus stdlib,flask --no-peers
    python scripts/corpus_report.py --offline                         # only what is already cached

Corpora (``--corpus``, comma-separated, default all of them, in this order): ``stdlib``, the
installed standard library (``sysconfig.get_paths()["stdlib"]``, its test suites included,
``site-packages``/``dist-packages`` left out), and the wheels of django, celery, kombu, dask,
distributed, joblib, ray, flask and requests (any other PyPI name works too). A wheel is fetched with
``pip download --no-deps --only-binary=:all: NAME -d benchmarks/.cache/wheels`` and its ``.py``
files unpacked into ``benchmarks/.cache/corpora/<name>/`` once, with the version recorded in
``.benchmark-source.json`` there (the same cache and marker ``benchmarks/run.py`` uses, so either
script reuses what the other fetched). Delete the folder to fetch again. ``--offline`` never calls
pip: it uses unpacked corpora, or unpacks a cached wheel, and leaves out (with a note) the
corpora it has neither for.

For every ``.py`` file of a corpus: ``ast.parse`` (a file that does not parse on this Python is
counted under *not parsed* and left out), then ``flake8_pickle.analysis.analyze(tree)`` with the
default settings and the inventory codes on. An exception raised by the analysis is a plugin
failure: it is listed at the end with the file, the run goes on, and the exit status is 1. bandit
(``-t B301,B302``) and ruff (``--select S301,S302``) run on the same files when their executables
are found (next to this Python or on PATH) and ``--no-peers`` is not given.

Columns of the table:

* *files*, *not parsed*, *failed* (plugin failures);
* *loaders* (PKL901): every pickle-family loader call found;
* PKL101, PKL102, PKL103, PKL104: findings of each code;
* *trusted-silent*: PKL901 loader calls that no PKL101/PKL102/PKL103 reports, that is, the loader
  calls the provenance analysis considers trusted. A loader counts as reported when one of those
  codes is on its line, or when a PKL101 reported at a helper's call site names its line
  (``reaches pickle.loads (line 6) via load()``);
* every other code ``analyze()`` returned anywhere (PKL2xx, PKL3xx, PKL902...), one column each;
* *bandit B301+B302* and *ruff S301+S302*: the peers' loader counts on the same files
  (``n/a`` when the tool is not installed or ``--no-peers``).

Review file (``--findings FILE``): one line per finding of a default-on code (all but PKL901 and
PKL902), ``package<TAB>path:line<TAB>code<TAB>message<TAB>verdict``, the path relative to the
corpus root, lines sorted by package (in corpus order), path, line, column and code. A verdict is
``true``, ``false``, ``debatable`` or ``?`` (not reviewed yet); a sixth column, if present, is a
free-text note and is kept. When the file exists it is merged: a finding still reported keeps its
verdict and note (matched by package, path, line and code; the message is refreshed), a new
finding gets ``?``, a finding no longer reported is dropped. Lines of packages not analysed in this
run are kept as they are. Lines starting with ``#`` are comments (the header is rewritten).

Output goes to stdout, progress to stderr. Everything is sorted, so two runs on the same inputs
print the same report.
"""

from __future__ import annotations

import argparse
import ast
import json
import multiprocessing
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import traceback
import warnings
import zipfile
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from flake8_pickle.analysis import analyze  # noqa: E402
from flake8_pickle.findings import Finding  # noqa: E402

DEFAULT_CORPORA = ("stdlib", "django", "celery", "kombu", "dask", "distributed", "joblib", "ray", "flask", "requests")
CACHE = REPO / "benchmarks" / ".cache"
MARKER = ".benchmark-source.json"
SKIP_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__"})

INVENTORY_CODES = ("PKL901", "PKL902")
LOADER_CODES = ("PKL101", "PKL102", "PKL103")
FIXED_CODES = ("PKL101", "PKL102", "PKL103", "PKL104")
VERDICTS = ("true", "false", "debatable", "?")
BANDIT_TESTS = ("B301", "B302")
RUFF_RULES = ("S301", "S302")
# "... reaches pickle.loads (line 6) via load()": a PKL101 reported at a helper's call site.
SINK_LINE = re.compile(r"\breaches .*?\(line (\d+)\) via ")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpora


@dataclass
class Corpus:
    name: str
    version: str
    root: Path
    files: List[str]  # POSIX paths relative to root, sorted


def walk_py(root: Path) -> List[str]:
    """Every ``.py`` file under ``root`` (SKIP_DIRS left out), as sorted relative POSIX paths."""
    found: List[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        here = Path(dirpath)
        found.extend((here / f).relative_to(root).as_posix() for f in filenames if f.endswith(".py"))
    return sorted(found)


def stdlib_corpus() -> Corpus:
    root = Path(sysconfig.get_paths()["stdlib"])
    return Corpus("stdlib", platform.python_version(), root, walk_py(root))


def dist_key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _version_key(version: str) -> Tuple:
    parts: List[Tuple[int, object]] = []
    for piece in re.split(r"[.+-]", version):
        parts.append((0, int(piece)) if piece.isdigit() else (-1, piece))
    return tuple(parts)


def cached_wheel(wheels: Path, key: str) -> Optional[Path]:
    """The highest version of ``key``'s wheels in ``wheels``, if any."""
    found = [p for p in wheels.glob("*.whl") if dist_key(p.name.split("-")[0]) == key] if wheels.is_dir() else []
    if not found:
        return None
    return max(found, key=lambda p: (_version_key(p.name.split("-")[1]), p.name))


def pip_download(name: str, wheels: Path) -> Optional[Path]:
    wheels.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps",
         "--only-binary=:all:", name, "-d", str(wheels)],
        capture_output=True, text=True,
    )
    saved = re.findall(r"(?:Saved|File was already downloaded)\s+(\S+\.whl)", proc.stdout)
    if proc.returncode == 0 and saved:
        wheel = wheels / Path(saved[-1]).name  # pip prints the path relative to the working directory
        if wheel.is_file():
            return wheel
    log(f"  pip download {name}: no wheel (exit {proc.returncode}): {(proc.stderr or proc.stdout).strip()[-300:]}")
    return None


def unpack_wheel(wheel: Path, target: Path, spec: str) -> str:
    """Unpack the ``.py`` files of ``wheel`` into ``target`` (replaced atomically); return the version."""
    version = wheel.name.split("-")[1]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        with zipfile.ZipFile(wheel) as zf:
            for member in sorted(zf.namelist()):
                parts = Path(member).parts
                if not member.endswith(".py") or member.startswith("/") or ".." in parts:
                    continue
                dest = staging.joinpath(*parts)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(member))
        (staging / MARKER).write_text(json.dumps({"spec": spec, "wheel": wheel.name, "version": version}))
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return version


def wheel_corpus(name: str, offline: bool, cache: Path = CACHE) -> Optional[Corpus]:
    """The unpacked wheel of ``name``: cached, or fetched (not when offline). None if unavailable."""
    key = dist_key(name)
    target = cache / "corpora" / key
    marker = target / MARKER
    if marker.is_file():
        info = json.loads(marker.read_text())
        return Corpus(key, str(info.get("version", "?")), target, walk_py(target))
    wheels = cache / "wheels"
    wheel = None
    if not offline:
        log(f"downloading {name} ...")
        wheel = pip_download(name, wheels)
    if wheel is None:
        wheel = cached_wheel(wheels, key)
        if wheel is not None and not offline:
            log(f"  using cached {wheel.name}")
    if wheel is None:
        return None
    version = unpack_wheel(wheel, target, name)
    return Corpus(key, version, target, walk_py(target))


def load_corpus(name: str, offline: bool, cache: Path = CACHE) -> Optional[Corpus]:
    return stdlib_corpus() if name == "stdlib" else wheel_corpus(name, offline, cache)


# --------------------------------------------------------------------------- our analysis

PARSED, NOT_PARSED, FAILED = "parsed", "not parsed", "failed"


def analyze_file(job: Tuple[str, str]) -> Tuple[str, str, object]:
    """Parse and analyse one file: ``(relpath, status, findings | reason)``. Never raises."""
    root, rel = job
    path = os.path.join(root, rel)
    try:
        with open(path, "rb") as fh:
            source = fh.read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OSError) as exc:
        return rel, NOT_PARSED, f"{type(exc).__name__}: {exc}"
    try:
        findings = analyze(tree)
    except BaseException as exc:  # noqa: B902 - every failure is recorded, the run goes on
        if isinstance(exc, KeyboardInterrupt):
            raise
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
        return rel, FAILED, f"{type(exc).__name__}: {str(exc)[:300]}{where}"
    return rel, PARSED, [tuple(f) for f in findings]


@dataclass
class CorpusResult:
    corpus: Corpus
    findings: List[Tuple[str, Finding]] = field(default_factory=list)  # (relpath, finding), sorted
    not_parsed: List[Tuple[str, str]] = field(default_factory=list)
    failures: List[Tuple[str, str]] = field(default_factory=list)
    peers: Dict[str, Optional[int]] = field(default_factory=dict)
    peer_notes: List[str] = field(default_factory=list)


def run_analysis(corpus: Corpus, pool=None) -> CorpusResult:
    jobs = [(str(corpus.root), rel) for rel in corpus.files]
    results = pool.imap(analyze_file, jobs, chunksize=8) if pool is not None else map(analyze_file, jobs)
    out = CorpusResult(corpus)
    for rel, status, payload in results:
        if status == PARSED:
            out.findings.extend((rel, Finding(*f)) for f in payload)  # type: ignore[union-attr]
        elif status == NOT_PARSED:
            out.not_parsed.append((rel, payload))  # type: ignore[arg-type]
        else:
            out.failures.append((rel, payload))  # type: ignore[arg-type]
    out.findings.sort(key=lambda item: (item[0], item[1].line, item[1].col, item[1].code, item[1].message))
    out.not_parsed.sort()
    out.failures.sort()
    return out


# --------------------------------------------------------------------------- peers


def tool_exe(name: str) -> Optional[str]:
    local = Path(sys.executable).with_name(name)
    return str(local) if local.exists() else shutil.which(name)


def _chunks(items: Sequence[str], parts: int, size: int = 800) -> List[Sequence[str]]:
    """``items`` cut into at least ``parts`` pieces of at most ``size`` (interleaved, for balance)."""
    n = max(parts, -(-len(items) // size), 1)
    return [chunk for chunk in (items[i::n] for i in range(n)) if chunk]


def run_tool(command: List[str], corpus: Corpus, jobs: int) -> List[subprocess.CompletedProcess]:
    """``command`` over the corpus' files, named explicitly, in up to ``jobs`` processes at once."""
    chunks = _chunks(corpus.files, jobs)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
        return list(executor.map(
            lambda chunk: subprocess.run([*command, *chunk], cwd=corpus.root, capture_output=True, text=True),
            chunks))


def run_bandit(exe: str, corpus: Corpus, notes: List[str], jobs: int = 1) -> Optional[int]:
    count = 0
    errors = 0
    for proc in run_tool([exe, "-q", "-f", "json", "-t", ",".join(BANDIT_TESTS)], corpus, jobs):
        try:
            data = json.loads(proc.stdout or "null") or {}
        except ValueError:
            notes.append(f"bandit: unreadable output (exit {proc.returncode}): {proc.stderr.strip()[:200]}")
            return None
        count += sum(1 for r in data.get("results", []) if r.get("test_id") in BANDIT_TESTS)
        errors += len(data.get("errors", []))
    if errors:
        notes.append(f"bandit could not process {errors} files")
    return count


def run_ruff(exe: str, corpus: Corpus, notes: List[str], jobs: int = 1) -> Optional[int]:
    count = 0
    failed = 0
    # Files are named explicitly: ruff's default excludes (.pyenv, site-packages...) would otherwise
    # drop a whole corpus that happens to live under such a directory. ruff is multi-threaded itself.
    command = [exe, "check", "--isolated", "--no-cache", "--select", ",".join(RUFF_RULES), "--output-format", "json"]
    for proc in run_tool(command, corpus, 1):
        try:
            data = json.loads(proc.stdout or "[]")
        except ValueError:
            notes.append(f"ruff: unreadable output (exit {proc.returncode}): {proc.stderr.strip()[:200]}")
            return None
        count += sum(1 for r in data if r.get("code") in RUFF_RULES)  # invalid-syntax left out
        failed += proc.stderr.count("Failed to lint")
    if failed:
        notes.append(f"ruff could not read {failed} files")
    return count


def tool_version(exe: str) -> str:
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True)
    first = (proc.stdout or proc.stderr).strip().splitlines()
    return first[0].strip() if first else "?"


# --------------------------------------------------------------------------- table


def code_counts(result: CorpusResult) -> Counter:
    """Findings per code, plus ``trusted-silent`` (see the module docstring)."""
    counts: Counter = Counter(f.code for _, f in result.findings)
    reported: Set[Tuple[str, int]] = set()
    for rel, f in result.findings:
        if f.code in LOADER_CODES:
            reported.add((rel, f.line))
            if f.code == "PKL101":
                m = SINK_LINE.search(f.message)
                if m:
                    reported.add((rel, int(m.group(1))))
    counts["trusted-silent"] = sum(1 for rel, f in result.findings
                                   if f.code == "PKL901" and (rel, f.line) not in reported)
    return counts


def extra_codes(results: Sequence[CorpusResult]) -> List[str]:
    seen = {f.code for r in results for _, f in r.findings}
    return sorted(seen - set(FIXED_CODES) - {"PKL901", "PKL902"}) + [c for c in ("PKL902",) if c in seen]


def build_table(results: Sequence[CorpusResult], peers: bool) -> Tuple[List[str], List[List[str]]]:
    extras = extra_codes(results)
    header = (["package", "version", "files", "not parsed", "failed", "loaders (PKL901)", *FIXED_CODES,
               "trusted-silent", *extras] + (["bandit B301+B302", "ruff S301+S302"] if peers else []))
    numeric_rows: List[List[object]] = []
    for r in results:
        counts = code_counts(r)
        parsed = len(r.corpus.files) - len(r.not_parsed)
        row: List[object] = [r.corpus.name, r.corpus.version, parsed, len(r.not_parsed), len(r.failures),
                             counts["PKL901"], *(counts[c] for c in FIXED_CODES), counts["trusted-silent"],
                             *(counts[c] for c in extras)]
        if peers:
            row += [r.peers.get("bandit"), r.peers.get("ruff")]
        numeric_rows.append(row)
    if len(numeric_rows) > 1:
        total: List[object] = ["total", ""]
        for col in range(2, len(header)):
            values = [row[col] for row in numeric_rows]
            total.append(None if any(v is None for v in values) else sum(values))  # type: ignore[arg-type]
        numeric_rows.append(total)
    rows = [["n/a" if v is None else str(v) for v in row] for row in numeric_rows]
    return header, rows


def render(header: List[str], rows: List[List[str]], markdown: bool, left: int = 2) -> str:
    """A table; the first ``left`` columns are text (left-aligned), the others numbers."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |",
                 "|" + "|".join("---" if i < left else "---:" for i in range(len(header))) + "|"]
        for row in rows:
            cells = [f"**{c}**" if row[0] == "total" and c else c for c in row]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]

    def fmt(cells: List[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


# --------------------------------------------------------------------------- review file

REVIEW_HEADER = (
    "# flake8-pickle findings of default-on codes over the corpora of scripts/corpus_report.py.\n"
    "# package<TAB>path:line<TAB>code<TAB>message<TAB>verdict[<TAB>note]; verdict: true, false, debatable or ? "
    "(not reviewed).\n"
    "# Regenerate with: python scripts/corpus_report.py --findings <this file> (verdicts and notes are kept).\n"
)


@dataclass
class ReviewRow:
    package: str
    location: str  # relative/path.py:line
    code: str
    message: str
    verdict: str = "?"
    note: str = ""

    @property
    def key(self) -> Tuple[str, str, str]:
        return self.package, self.location, self.code

    def sort_key(self, order: Dict[str, int]) -> Tuple:
        path, _, line = self.location.rpartition(":")
        return order.get(self.package, len(order)), self.package, path, int(line) if line.isdigit() else 0

    def text(self) -> str:
        cells = [self.package, self.location, self.code, self.message, self.verdict]
        return "\t".join(cells + [self.note] if self.note else cells)


class ReviewError(Exception):
    pass


def clean(text: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", text).strip()


def review_rows(results: Sequence[CorpusResult]) -> List[ReviewRow]:
    """A row per finding of a default-on code, in report order."""
    rows: List[ReviewRow] = []
    for r in results:
        for rel, f in r.findings:
            if f.code in INVENTORY_CODES:
                continue
            message = f.message[len(f.code):].strip() if f.message.startswith(f.code) else f.message
            rows.append(ReviewRow(r.corpus.name, f"{rel}:{f.line}", f.code, clean(message)))
    return rows


def read_review(path: Path) -> List[ReviewRow]:
    rows: List[ReviewRow] = []
    problems: List[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 5:
            problems.append(f"{path}:{number}: expected 5 tab-separated columns, found {len(cells)}")
            continue
        verdict = cells[4].strip().lower()
        if verdict not in VERDICTS:
            problems.append(f"{path}:{number}: verdict {cells[4]!r} is not one of {', '.join(VERDICTS)}")
            continue
        rows.append(ReviewRow(cells[0], cells[1], cells[2], cells[3], verdict, "\t".join(cells[5:]).strip()))
    if problems:
        raise ReviewError("\n".join(problems))
    return rows


@dataclass
class MergeStats:
    kept: int = 0  # still reported, verdict carried over (reviewed or not)
    new: int = 0
    dropped: int = 0
    dropped_reviewed: int = 0


def merge_review(existing: Sequence[ReviewRow], current: Sequence[ReviewRow], packages: Iterable[str],
                 order: Sequence[str] = ()) -> Tuple[List[ReviewRow], MergeStats]:
    """Current findings with the verdicts of ``existing``; rows of packages not in ``packages`` are kept.

    Several findings with the same key (package, path:line, code) are matched in order.
    """
    analysed = set(packages)
    stats = MergeStats()
    by_key: Dict[Tuple[str, str, str], List[ReviewRow]] = defaultdict(list)
    untouched: List[ReviewRow] = []
    for row in existing:
        (by_key[row.key] if row.package in analysed else untouched).append(row)
    merged: List[ReviewRow] = []
    for row in current:
        previous = by_key.get(row.key)
        if previous:
            old = previous.pop(0)
            merged.append(ReviewRow(row.package, row.location, row.code, row.message, old.verdict, old.note))
            stats.kept += 1
        else:
            merged.append(ReviewRow(row.package, row.location, row.code, row.message))
            stats.new += 1
    for leftovers in by_key.values():
        stats.dropped += len(leftovers)
        stats.dropped_reviewed += sum(1 for r in leftovers if r.verdict != "?")
    rank = {name: i for i, name in enumerate(order)}
    merged.extend(untouched)
    # Stable sort: rows of one location keep the analysis' column order.
    merged.sort(key=lambda r: r.sort_key(rank))
    return merged, stats


def write_review(path: Path, rows: Sequence[ReviewRow]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REVIEW_HEADER + "".join(r.text() + "\n" for r in rows), encoding="utf-8")


def verdict_totals(rows: Sequence[ReviewRow]) -> Tuple[List[str], List[List[str]]]:
    per_code: Dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        per_code[r.code][r.verdict] += 1
    header = ["code", "findings", *VERDICTS]
    table = [[code, str(sum(c.values())), *(str(c[v]) for v in VERDICTS)] for code, c in sorted(per_code.items())]
    if len(table) > 1:
        all_counts: Counter = sum(per_code.values(), Counter())
        table.append(["total", str(len(rows)), *(str(all_counts[v]) for v in VERDICTS)])
    return header, table


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=",".join(DEFAULT_CORPORA),
                        help="comma-separated corpora (default: %(default)s)")
    parser.add_argument("--offline", action="store_true", help="never call pip: use only cached corpora/wheels")
    parser.add_argument("--markdown", action="store_true", help="Markdown tables")
    parser.add_argument("--findings", type=Path, metavar="FILE", help="write/merge the review file")
    parser.add_argument("--no-peers", action="store_true", help="do not run bandit and ruff")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for our analysis")
    parser.add_argument("--cache", type=Path, default=CACHE, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None, out: Callable[[str], None] = print) -> int:
    args = parse_args(argv)
    names = [n.strip() for n in args.corpus.split(",") if n.strip()]
    corpora: List[Corpus] = []
    missing: List[str] = []
    for name in names:
        corpus = load_corpus(name, args.offline, args.cache)
        if corpus is None:
            if not args.offline:
                log(f"error: no wheel for {name}, and none cached")
                return 2
            missing.append(name)
            log(f"{name}: not cached, left out (--offline)")
        else:
            corpora.append(corpus)

    peers: Dict[str, Optional[str]] = {}
    if not args.no_peers:
        peers = {"bandit": tool_exe("bandit"), "ruff": tool_exe("ruff")}

    results: List[CorpusResult] = []
    pool = multiprocessing.Pool(args.jobs) if args.jobs > 1 else None
    try:
        for corpus in corpora:
            log(f"{corpus.name} {corpus.version}: {len(corpus.files)} files ...")
            result = run_analysis(corpus, pool)
            if not args.no_peers:
                for tool, runner in (("bandit", run_bandit), ("ruff", run_ruff)):
                    exe = peers.get(tool)
                    result.peers[tool] = runner(exe, corpus, result.peer_notes, args.jobs) if exe else None
            results.append(result)
    finally:
        if pool is not None:
            pool.close()
            pool.join()

    versions = [f"Python {platform.python_version()}"]
    versions += [tool_version(exe) for exe in peers.values() if exe]
    out(f"flake8-pickle corpus report ({'; '.join(versions)})")
    out("")
    if missing:
        out(f"Not cached, left out: {', '.join(missing)}")
        out("")
    out(render(*build_table(results, peers=not args.no_peers), markdown=args.markdown))

    if args.findings is not None:
        current = review_rows(results)
        try:
            existing = read_review(args.findings) if args.findings.exists() else []
        except ReviewError as exc:
            log(f"error: review file not merged:\n{exc}")
            return 2
        merged, stats = merge_review(existing, current, [r.corpus.name for r in results], names)
        write_review(args.findings, merged)
        out("")
        out(f"Review file {args.findings}: {len(merged)} findings; {stats.kept} kept their verdict, "
            f"{stats.new} new (verdict ?), {stats.dropped} no longer reported and dropped "
            f"({stats.dropped_reviewed} of them had a verdict).")
        out("")
        out(render(*verdict_totals(merged), markdown=args.markdown, left=1))

    notes = [f"{r.corpus.name}: {n}" for r in results for n in r.peer_notes]
    if notes:
        out("")
        out("Peer notes:")
        out("\n".join(f"- {n}" for n in notes))
    unparsed = [(r.corpus.name, rel, why) for r in results for rel, why in r.not_parsed]
    if unparsed:
        out("")
        out(f"Files not parsed on Python {platform.python_version()} ({len(unparsed)}):")
        out("\n".join(f"- {pkg} {rel}: {why}" for pkg, rel, why in unparsed))
    failures = [(r.corpus.name, rel, why) for r in results for rel, why in r.failures]
    if failures:
        out("")
        out(f"PLUGIN FAILURES ({len(failures)}):")
        out("\n".join(f"- {pkg} {rel}: {why}" for pkg, rel, why in failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
