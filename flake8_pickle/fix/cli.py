"""The ``flake8-pickle`` command: ``flake8-pickle fix [options] PATH...``.

Exit codes, made for a pre-commit hook: 0 nothing was changed (findings the fixer cannot
fix are left to the lint, which reports them; ``--exit-non-zero-on-unfixed`` makes them
count); 1 a file was changed, or with ``--check``/``--diff`` would be; 2 a usage or
configuration error, or a file that could not be read, parsed or written (the other files
are still fixed).
"""

from __future__ import annotations

import argparse
import configparser
import difflib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, TextIO, Tuple

from flake8.utils import normalize_path

from .. import __version__
from ..rules import unknown_codes
from ..project.runner import Project
from ..settings import OPTIONS, PROJECT_OPTIONS, OptionError, Settings
from .engine import DECLINED, FIXED, NEEDS_UNSAFE, NO_FIX, FileResult, Options, Selection, fix_bytes
from .source import replace_source

EXIT_CLEAN = 0
EXIT_CHANGED = 1
EXIT_ERROR = 2

CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")
#: Directory names never entered when a directory is given (hidden ones are skipped too).
SKIPPED_DIRECTORIES = frozenset(
    {"__pycache__", "build", "dist", "node_modules", "site-packages", "venv", "env", "__pypackages__"}
)


class UsageError(Exception):
    """A bad option or configuration value: exit code 2, message on stderr."""


def _split_codes(value: str) -> Tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in value.replace("\n", ",").split(",") if c.strip())
    for code in codes:
        if not code.isalnum():
            raise UsageError(f"{code!r} is not an error code or prefix")
    return codes


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (one subcommand, ``fix``)."""
    parser = argparse.ArgumentParser(prog="flake8-pickle", description="Report and fix what flake8-pickle finds.")
    parser.add_argument("--version", action="version", version=f"flake8-pickle {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    # Listed for --help only: main() hands ``check`` and its arguments to flake8_pickle.check.
    commands.add_parser(
        "check",
        help="report PKL findings as text, JSON or SARIF, with flake8's configuration (check --help)",
        add_help=False,
    )
    fix = commands.add_parser(
        "fix",
        help="rewrite files to fix PKL findings",
        description="Rewrite files to fix flake8-pickle findings. Safe fixes apply by default.",
    )
    fix.add_argument("paths", nargs="+", metavar="PATH", help="files or directories; - reads stdin and writes stdout")
    mode = fix.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff of the fixes; write nothing")
    mode.add_argument("--check", action="store_true", help="exit 1 if anything would be fixed; write nothing")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
    fix.add_argument("--select", default=None, help="codes or prefixes to fix (default: PKL)")
    fix.add_argument("--ignore", default=None, help="codes or prefixes not to fix")
    fix.add_argument("--config", default=None, help="read this file's [flake8] section instead of searching")
    fix.add_argument("--isolated", action="store_true", help="ignore configuration files")
    fix.add_argument("--stdin-display-name", default="stdin", help="the name of stdin in messages (as flake8's)")
    fix.add_argument(
        "--exit-non-zero-on-unfixed",
        action="store_true",
        help="also exit 1 when a selected finding is left unfixed (by default the lint reports those)",
    )
    fix.add_argument("-q", "--quiet", action="store_true", help="print only the summary and errors")
    for option, help_text in OPTIONS.items():
        fix.add_argument(f"--{option}", default=None, help=f"{help_text} Comma-separated; overrides the config.")
    for option, help_text in PROJECT_OPTIONS.items():
        fix.add_argument(f"--{option}", default=None, help=f"{help_text} Overrides the config.")
    return parser


# --------------------------------------------------------------------------- configuration


def find_config(start: Path) -> Optional[Path]:
    """The nearest setup.cfg, tox.ini or .flake8 with a ``[flake8]`` section, from ``start`` up."""
    home = Path.home()
    directory = start.resolve()
    while True:
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file() and _has_flake8_section(candidate):
                return candidate
        if directory == home or directory.parent == directory:
            return None
        directory = directory.parent


def _read_config(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle, source=str(path))
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc
    return parser


def _has_flake8_section(path: Path) -> bool:
    try:
        return _read_config(path).has_section("flake8")
    except UsageError:
        return False


def config_values(path: Path) -> Dict[str, str]:
    """The ``[flake8]`` options of ``path``, keys normalised to dashes (as flake8 does)."""
    parser = _read_config(path)
    if not parser.has_section("flake8"):
        return {}
    return {key.replace("_", "-"): value for key, value in parser.items("flake8")}


def build_options(args: argparse.Namespace) -> Options:
    """Settings from the config file and the command line, validated by :meth:`Settings.from_values`."""
    values: Dict[str, str] = {}
    source = "the command line"
    if not args.isolated:
        path = Path(args.config) if args.config else find_config(Path.cwd())
        if args.config and not path.is_file():  # type: ignore[union-attr]
            raise UsageError(f"--config: {args.config} does not exist")
        if path is not None:
            values = config_values(path)
            source = str(path)
            # A path in the config file is read from its directory, as flake8 reads it.
            for option in PROJECT_OPTIONS:
                if option in values:
                    values[option] = normalize_path(values[option].strip(), str(path.resolve().parent))
    raw: Dict[str, str] = {}
    for option in (*OPTIONS, *PROJECT_OPTIONS):
        field_name = option[len("pickle-") :].replace("-", "_")
        from_command_line = getattr(args, option.replace("-", "_"))
        if from_command_line is not None:
            raw[field_name] = from_command_line
        elif option in values:
            raw[field_name] = values[option]
    try:
        settings = Settings.from_values(**{k: v.replace("\n", ",") for k, v in raw.items()})
    except OptionError as exc:
        raise UsageError(f"{exc} (in {source})") from exc
    select = _split_codes(args.select) if args.select is not None else ("PKL",)
    ignore = _split_codes(args.ignore) if args.ignore is not None else ()
    project = Project(settings)
    project.prepare(list(args.paths), args.stdin_display_name)
    return Options(settings=settings, selection=Selection(select, ignore), unsafe_fixes=args.unsafe_fixes, project=project)


# --------------------------------------------------------------------------- files


def iter_python_files(paths: Sequence[str]) -> Iterator[str]:
    """Each path given, and every ``*.py`` under each directory given (skipping hidden dirs, venvs, builds)."""
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            yield path
            continue
        for root, directories, files in os.walk(path):
            directories[:] = sorted(
                d
                for d in directories
                if not d.startswith(".")
                and d not in SKIPPED_DIRECTORIES
                and not d.endswith(".egg-info")
                and not os.path.exists(os.path.join(root, d, "pyvenv.cfg"))
            )
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(root, name)


# --------------------------------------------------------------------------- running


@dataclass
class Totals:
    """What the whole run did, for the summary line and the exit code."""

    fixed: int = 0
    fixed_unsafe: int = 0
    needs_unsafe: int = 0
    declined: int = 0
    no_fix: int = 0
    files_changed: int = 0
    errors: List[str] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        for outcome in result.outcomes:
            if outcome.status == FIXED:
                self.fixed += 1
                self.fixed_unsafe += outcome.safety != "safe"
            elif outcome.status == NEEDS_UNSAFE:
                self.needs_unsafe += 1
            elif outcome.status == DECLINED:
                self.declined += 1
            elif outcome.status == NO_FIX:
                self.no_fix += 1
        self.files_changed += result.changed

    @property
    def unfixed(self) -> int:
        return self.needs_unsafe + self.declined + self.no_fix


def _report(name: str, result: FileResult, dry: bool, out: TextIO) -> None:
    verb = "would be fixed" if dry else "fixed"
    for outcome in result.outcomes:
        if outcome.status == FIXED:
            print(f"{name}:{outcome.line}: {outcome.code} {verb} ({outcome.safety})", file=out)
        elif outcome.status == NEEDS_UNSAFE:
            print(f"{name}:{outcome.line}: {outcome.code} not fixed: unsafe fix, use --unsafe-fixes", file=out)
        else:
            print(f"{name}:{outcome.line}: {outcome.code} not fixed: {outcome.reason}", file=out)


def _summary(totals: Totals, dry: bool) -> str:
    verb = "would fix" if dry else "fixed"
    text = f"flake8-pickle: {verb} {totals.fixed} finding{'s' * (totals.fixed != 1)}"
    if totals.fixed:
        text += f" ({totals.fixed_unsafe} unsafe)" if totals.fixed_unsafe else ""
        files = totals.files_changed
        text += f" in {files} file{'s' * (files != 1)}"
    left = []
    if totals.needs_unsafe:
        left.append(f"{totals.needs_unsafe} need{'s' * (totals.needs_unsafe == 1)} --unsafe-fixes")
    if totals.declined:
        left.append(f"{totals.declined} declined (reasons above)")
    if totals.no_fix:
        left.append(f"{totals.no_fix} with no automatic fix")
    if left:
        text += "; left unfixed: " + ", ".join(left)
    if totals.errors:
        text += f"; {len(totals.errors)} file{'s' * (len(totals.errors) != 1)} skipped"
    return text + "."


def _diff(name: str, result: FileResult) -> str:
    from .source import decode

    before = decode(result.original).text.splitlines(keepends=True)
    after = decode(result.fixed).text.splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, fromfile=name, tofile=name))


def run(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Fix every path of ``args``; return the exit code."""
    options = build_options(args)
    for warning in unknown_codes("--select", options.selection.select if args.select is not None else ()) + unknown_codes(
        "--ignore", options.selection.ignore
    ):
        print(warning, file=stderr)
    dry = args.check or args.diff
    totals = Totals()
    # Messages go to stderr whenever stdout carries a diff or fixed source.
    messages = stderr if (args.diff or "-" in args.paths) else stdout
    for path in iter_python_files(args.paths):
        is_stdin = path == "-"
        name = args.stdin_display_name if is_stdin else path
        try:
            data = stdin.buffer.read() if is_stdin else Path(path).read_bytes()  # type: ignore[attr-defined]
        except OSError as exc:
            totals.errors.append(name)
            print(f"{name}: skipped: cannot read: {exc.strerror or exc}", file=stderr)
            continue
        result = fix_bytes(data, options, name)
        if result.error is not None:
            totals.errors.append(name)
            print(f"{name}: skipped: {result.error}", file=stderr)
            if is_stdin and not dry:
                stdout.buffer.write(data)  # type: ignore[attr-defined]
            continue
        if result.changed and not dry and not is_stdin:
            # Written before it is reported: a file that could not be written is not "fixed".
            try:
                replace_source(path, result.fixed, data)
            except OSError as exc:
                totals.errors.append(name)
                print(f"{name}: not written: {exc.strerror or exc}", file=stderr)
                continue
        totals.add(result)
        if not args.quiet:
            _report(name, result, dry, messages)
        if args.diff:
            if result.changed:
                stdout.write(_diff(name, result))
        elif is_stdin and not args.check:
            stdout.flush()
            stdout.buffer.write(result.fixed)  # type: ignore[attr-defined]
            stdout.buffer.flush()  # type: ignore[attr-defined]
    print(_summary(totals, dry), file=messages)
    if totals.errors:
        return EXIT_ERROR
    if totals.files_changed or (args.exit_non_zero_on_unfixed and totals.unfixed):
        return EXIT_CHANGED
    return EXIT_CLEAN


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of ``flake8-pickle`` and ``python -m flake8_pickle``."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["check"]:
        from ..check import main as check

        return check(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    if "-" in args.paths and (sys.stdin is None or sys.stdout is None) and not (args.check or args.diff):
        # Closed before the process started (``<&-``, ``>&-``): Python leaves them None.
        _error("stdin or stdout is closed; '-' reads stdin and writes the fixed source to stdout")
        return EXIT_ERROR
    try:
        code = run(args, sys.stdin, sys.stdout or open(os.devnull, "w"), sys.stderr or open(os.devnull, "w"))
        if sys.stdout is not None:
            sys.stdout.flush()  # a full device says so here, not in a traceback at exit
        return code
    except UsageError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except (OSError, ValueError) as exc:
        # A closed or full output stream (``> /dev/full``), or stdin closed while reading it.
        _error(f"cannot read or write a standard stream: {getattr(exc, 'strerror', None) or exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _error(text: str) -> None:
    """Say what went wrong on stderr, if there is one to say it on."""
    if sys.stderr is not None:
        try:
            print(f"flake8-pickle: error: {text}", file=sys.stderr)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
