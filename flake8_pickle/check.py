"""``flake8-pickle check PATH... [--format text|json|sarif] [--explain] [--output FILE]``.

flake8 itself decides what is reported. The command runs flake8's own application (its option
parser, its configuration files, its file discovery, its ``--jobs``, its decision engine for
select/ignore/extend-*/per-file-ignores and its ``# noqa`` handling) with only this plugin's
checker enabled, and collects what flake8 would print through an in-memory formatter. Then,
in the main process, each file with a finding is analysed again by the same plugin class with
the same settings and project index, to recover what flake8's result tuples cannot carry: each
finding's steps (the PKL101 path, the related places, why a load was trusted).

Exit codes are flake8's: 0 nothing reported, 1 findings, 2 a usage or configuration error
(flake8's option parser and the plugin's option validation name the bad option), or a file the
engine could not check.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, TextIO, Tuple

from flake8 import exceptions
from flake8.formatting.base import BaseFormatter
from flake8.main.application import Application
from flake8.processor import FileProcessor

from . import __version__
from .findings import Finding, Step

if TYPE_CHECKING:
    from .analysis import Analysis

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

FORMATS = ("text", "json", "sarif")
#: The plugin's entry point name: the only checker ``check`` runs.
ENTRY_POINT = "PKL"
#: flake8's own codes for a file it could not read or tokenize (E902) or parse (E999): reported
#: too, so an unchecked file never passes as clean.
UNCHECKED_CODES = ("E902", "E999")


@dataclass
class Result:
    """One reported finding, as flake8 reports it, with what the analysis knows besides."""

    path: str
    line: int
    #: 1-based, counted as flake8 counts it (the plugin's UTF-8 byte offset plus one).
    column: int
    code: str
    #: The message without its code, as flake8 prints it after the code.
    text: str
    steps: Tuple[Step, ...] = ()
    #: The ``def``/``class`` names enclosing the finding (``Cache.restore``), "" at module level.
    context: str = ""
    #: The flagged line, stripped (empty when the file could not be read again).
    source_line: str = ""
    fingerprint: str = ""
    #: The flagged line as read, without its line ending.
    source_line_raw: str = field(default="", repr=False)

    @property
    def unicode_column(self) -> int:
        """The 1-based column counted in characters (SARIF's ``unicodeCodePoints``)."""
        prefix = self.source_line_raw.encode("utf-8")[: max(self.column - 1, 0)]
        return len(prefix.decode("utf-8", "ignore")) + 1


@dataclass
class CheckRun:
    """What one run found, and where its relative paths start."""

    results: List[Result]
    #: With ``--explain`` and PKL901 on: loader calls whose arguments make them safe (code "").
    notes: List[Result] = field(default_factory=list)
    #: Project roots by checked file, for steps in other modules of the project.
    roots: Dict[str, Path] = field(default_factory=dict)
    exit_zero: bool = False


class UsageError(Exception):
    """A bad option of ``check`` itself."""


# --------------------------------------------------------------------------- running flake8


def _only_pickle_checks(plugins: object) -> object:
    """flake8's loaded plugins with only this plugin's checker left (no pycodestyle, pyflakes...)."""
    checkers = plugins.checkers  # type: ignore[attr-defined]
    tree = [p for p in checkers.tree if p.entry_name == ENTRY_POINT]
    return plugins._replace(checkers=checkers._replace(tree=tree, logical_line=[], physical_line=[]))  # type: ignore[attr-defined]


def _pickle_selection(options: argparse.Namespace) -> None:
    """Make the selection the one ``flake8 --select PKL`` would use when the configured one names
    no PKL code (a config's ``select = E,F,W`` is about the other plugins); keep a selection that
    names PKL codes, and add flake8's unchecked-file codes whenever a selection is given."""
    select = getattr(options, "select", None)
    if select is None:
        return  # flake8's default: everything its plugins register that no default ignores
    chosen = [code for code in select if code]
    if not any(code.startswith("PKL") or "PKL".startswith(code) for code in chosen):
        chosen.append("PKL")
    options.select = chosen + [code for code in UNCHECKED_CODES if code not in chosen]


class Collector(BaseFormatter):
    """A flake8 formatter that keeps each violation flake8's style guide reports, unprinted."""

    def after_init(self) -> None:
        self.violations: List[object] = []

    def start(self) -> None:
        """Open nothing: the command writes its own report."""

    def stop(self) -> None:
        """Close nothing."""

    def handle(self, error: object) -> None:
        self.violations.append(error)

    def format(self, error: object) -> Optional[str]:
        return None


def run_flake8(argv: Sequence[str]) -> Tuple[List[object], argparse.Namespace, List[str]]:
    """Run flake8 on ``argv`` (its options and paths) with only the PKL checker; return the
    violations its style guide reported, its parsed options and the files it checked. A usage
    or configuration error raises SystemExit(2), from flake8's own option parser."""
    app = Application()
    try:
        app.initialize(list(argv))
    except exceptions.ExecutionError as failed:  # ``--config`` naming no file, as flake8 itself says
        raise UsageError(str(failed)) from failed
    assert app.plugins is not None and app.options is not None
    app.plugins = _only_pickle_checks(app.plugins)  # type: ignore[assignment]
    _pickle_selection(app.options)
    collector = Collector(app.options)
    app.formatter = collector
    app.make_guide()
    app.make_file_checker_manager(list(argv))
    manager = app.file_checker_manager
    assert manager is not None
    manager.start()
    try:
        manager.run()
    except exceptions.PluginExecutionFailed as failed:
        raise UsageError(f"the analysis failed: {failed}") from failed
    finally:
        manager.stop()
    manager.report()
    return collector.violations, app.options, list(getattr(manager, "filenames", ()))


# --------------------------------------------------------------------------- what flake8 cannot carry


def _reread(filename: str, options: argparse.Namespace) -> Tuple[Optional[ast.AST], List[str]]:
    """The tree and lines flake8 gave the plugin for ``filename`` (stdin is read from flake8's cache)."""
    stdin_name = getattr(options, "stdin_display_name", "stdin") or "stdin"
    name = "-" if filename == stdin_name and "-" in (getattr(options, "filenames", None) or ()) else filename
    try:
        processor = FileProcessor(name, options)
        return processor.build_ast(), processor.lines
    except (OSError, SyntaxError, ValueError, UnicodeError):
        return None, []


def _analysed(filename: str, tree: ast.AST, lines: List[str]) -> "Analysis":
    from .plugin import PicklePlugin

    return PicklePlugin(tree, filename, lines).analysis()


def _inventory_on() -> bool:
    from .plugin import PicklePlugin

    return "PKL901" in PicklePlugin.settings.inventory_codes


def _contexts(tree: ast.AST) -> List[Tuple[int, int, str]]:
    """``(first line, last line, qualified name)`` of every def and class, outermost first."""
    spans: List[Tuple[int, int, str]] = []
    stack: List[Tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                spans.append((first, getattr(child, "end_lineno", None) or child.lineno, name))
                stack.append((child, name))
            else:
                stack.append((child, prefix))
    return spans


def _context_at(spans: List[Tuple[int, int, str]], line: int) -> str:
    inside = [(first, name) for first, last, name in spans if first <= line <= last]
    return max(inside)[1] if inside else ""


def fingerprint(code: str, context: str, source_line: str, occurrence: int) -> str:
    """A finding's identity across edits elsewhere in the file: its code, the def/class it is in,
    the text of its line and how many findings before it share all three (never its line number,
    nor its message, which quotes line numbers)."""
    key = "\0".join((code, context, " ".join(source_line.split()), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def collect(
    violations: Sequence[object], options: argparse.Namespace, checked: Sequence[str] = (), explain: bool = False
) -> CheckRun:
    """The reported violations as results, each with its steps, context and fingerprint. With
    ``explain`` and the PKL901 inventory on, every checked file is analysed again for notes on
    the loader calls whose arguments make them safe."""
    from .plugin import PicklePlugin

    by_file: Dict[str, List[object]] = {}
    for violation in violations:
        by_file.setdefault(violation.filename, []).append(violation)  # type: ignore[attr-defined]
    stdin_name = getattr(options, "stdin_display_name", "stdin") or "stdin"
    if explain and _inventory_on():
        for name in checked:
            by_file.setdefault(stdin_name if name == "-" else name, [])
    results: List[Result] = []
    notes: List[Result] = []
    roots: Dict[str, Path] = {}
    for filename, reported in by_file.items():
        tree, lines = _reread(filename, options)
        findings: Dict[Tuple[int, int, str, str], Finding] = {}
        spans: List[Tuple[int, int, str]] = []
        if tree is not None:
            spans = _contexts(tree)
            if not reported or any(v.code.startswith("PKL") for v in reported):  # type: ignore[attr-defined]
                analysis = _analysed(filename, tree, lines)
                for finding in analysis.findings:
                    findings[(finding.line, finding.col + 1, finding.code, finding.message[len(finding.code) + 1 :])] = finding
                if explain:
                    notes.extend(
                        Result(filename, n.line, n.col + 1, "", n.message, n.steps, _context_at(spans, n.line))
                        for n in analysis.notes
                    )
                index = None if PicklePlugin.project.off else PicklePlugin.project.index_for(Path(filename))
                if index is not None:
                    roots[filename] = Path(index.root)
        seen: Dict[Tuple[str, str, str], int] = {}
        for v in sorted(reported, key=lambda v: (v.line_number, v.column_number, v.code)):  # type: ignore[attr-defined]
            line, column, code, text = v.line_number, v.column_number, v.code, v.text  # type: ignore[attr-defined]
            raw = lines[line - 1] if 0 < line <= len(lines) else ""
            context = _context_at(spans, line)
            key = (code, context, " ".join(raw.split()))
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            found = findings.get((line, column, code, text))
            results.append(
                Result(
                    filename, line, column, code, text,
                    steps=found.steps if found is not None else (),
                    context=context,
                    source_line=raw.strip(),
                    fingerprint=fingerprint(code, context, raw, occurrence),
                    source_line_raw=raw.rstrip("\r\n"),
                )
            )
    results.sort(key=lambda r: (r.path, r.line, r.column, r.code))
    return CheckRun(results, notes, roots, bool(getattr(options, "exit_zero", False)))


def step_path(run: CheckRun, result: Result, step: Step) -> str:
    """The file a step is in, as a path relative to the working directory where possible."""
    if step.file is None:
        return result.path
    root = run.roots.get(result.path)
    path = (root / step.file) if root is not None else Path(step.file)
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


# --------------------------------------------------------------------------- text and JSON


def _leads(result: Result) -> List[str]:
    """How the text format introduces each step: a path's hops follow ``path:`` with ``->``; a
    verdict (PKL901, PKL102) reads ``why:``, followed by the path when it names one; related
    places read ``see:``."""
    count = len(result.steps)
    if result.code in ("PKL101", "PKL103"):
        return ["path:"] + ["->"] * (count - 1)
    if result.code in ("PKL901", "PKL102", ""):
        follows = "->" if result.steps and result.steps[0].message.startswith(("PKL101", "PKL103")) else "and:"
        return ["why:"] + [follows] * (count - 1)
    return ["see:"] * count


def render_text(run: CheckRun, explain: bool) -> str:
    """flake8's default format; with ``explain``, each finding's steps below it."""
    out: List[str] = []
    shown = sorted(run.results + (run.notes if explain else []), key=lambda r: (r.path, r.line, r.column, r.code))
    for result in shown:
        out.append(f"{result.path}:{result.line}:{result.column}: {result.code or 'note:'} {result.text}")
        if explain:
            for lead, step in zip(_leads(result), result.steps):
                out.append(f"    {lead:>5} {step_path(run, result, step)}:{step.line}: {step.message}")
    return "".join(line + "\n" for line in out)


def render_json(run: CheckRun) -> str:
    """Every finding as a JSON object; ``steps`` always included."""
    findings = [
        {
            "path": r.path,
            "line": r.line,
            "column": r.column,
            "code": r.code,
            "message": r.text,
            "context": r.context,
            "fingerprint": r.fingerprint,
            "steps": [{"path": step_path(run, r, s), "line": s.line, "message": s.message} for s in r.steps],
        }
        for r in run.results
    ]
    return json.dumps({"tool": "flake8-pickle", "version": __version__, "findings": findings}, indent=2) + "\n"


# --------------------------------------------------------------------------- the command


def build_parser() -> argparse.ArgumentParser:
    """The options of ``check`` itself; every other argument is flake8's."""
    parser = argparse.ArgumentParser(
        prog="flake8-pickle check",
        usage="flake8-pickle check [--format text|json|sarif] [--explain] [--output FILE] [flake8 options] PATH...",
        description=(
            "Report what `flake8 --select PKL` reports, with the same configuration, as text, JSON or SARIF 2.1.0. "
            "Every other option is flake8's (select, ignore, extend-select, extend-ignore, per-file-ignores, "
            "config, isolated, jobs, exit-zero, stdin-display-name and the --pickle-* options); see flake8 --help."
        ),
        allow_abbrev=False,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    parser.add_argument("--format", dest="report_format", default="text", help="text (default), json or sarif")
    parser.add_argument("--explain", action="store_true", help="under each finding, the path or reason that made it (text)")
    parser.add_argument("--output", default=None, metavar="FILE", help="write the report to FILE instead of stdout")
    return parser


def main(argv: Optional[Sequence[str]] = None, stdout: Optional[TextIO] = None, stderr: Optional[TextIO] = None) -> int:
    """Entry point of ``flake8-pickle check``; returns the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    args, rest = parser.parse_known_args(list(sys.argv[2:] if argv is None else argv))
    if args.help:
        parser.print_help(stdout)
        return EXIT_CLEAN
    if args.report_format not in FORMATS:
        print(f"flake8-pickle check: error: --format: {args.report_format!r} is not one of {', '.join(FORMATS)}", file=stderr)
        return EXIT_ERROR
    try:
        violations, options, checked = run_flake8(rest)
    except UsageError as exc:
        print(f"flake8-pickle check: error: {exc}", file=stderr)
        return EXIT_ERROR
    except SystemExit as exc:  # flake8's option parser or the plugin's validation has said why
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    run = collect(violations, options, checked, explain=args.explain and args.report_format == "text")
    if args.report_format == "sarif":
        from .sarif import render_sarif

        report = render_sarif(run)
    elif args.report_format == "json":
        report = render_json(run)
    else:
        report = render_text(run, args.explain)
    try:
        if args.output:
            Path(args.output).write_text(report, encoding="utf-8")
        else:
            stdout.write(report)
            stdout.flush()
    except OSError as exc:
        print(f"flake8-pickle check: error: cannot write {args.output or 'stdout'}: {exc.strerror or exc}", file=stderr)
        return EXIT_ERROR
    if run.exit_zero or not run.results:
        return EXIT_CLEAN
    return EXIT_FINDINGS
