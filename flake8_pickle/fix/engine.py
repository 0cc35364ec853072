"""Fixing one source text: analyse, plan, rewrite, and prove each rewrite before keeping it.

Each codemod runs once, in registry order, on the text the previous one left:
the text is analysed, the codemod's findings are planned, the accepted plans are
applied together, and the result is analysed again. A rewrite is kept only when
that second analysis no longer reports the findings it fixed and reports
nothing new; plans that fail the check are dropped and the rest retried, and the
dropped findings are reported as not fixed. The caller never sees a rewrite the
analysis has not confirmed.
"""

from __future__ import annotations

import ast
import os
import signal
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst
from libcst.codemod import CodemodContext

from ..analysis import Analysis, run_analysis
from ..findings import Finding
from ..settings import Settings
from .base import SAFE, Decline, FixCodemod, FixFacts, Plan
from .registry import CODEMODS
from .source import LineMap, ScopeMap, SourceError, count_by_identity, decode, identity_of, noqa_silences, parse


@dataclass(frozen=True)
class Selection:
    """Which codes to fix: ``--select``/``--ignore`` codes or prefixes (longest match wins, like flake8)."""

    select: Tuple[str, ...] = ("PKL",)
    ignore: Tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        """Whether ``code`` is selected and not ignored."""
        selected = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        ignored = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        return selected >= 0 and selected > ignored


@dataclass(frozen=True)
class Options:
    """How to fix: settings for the analysis, the code selection, and whether unsafe fixes apply."""

    settings: Settings = Settings()
    selection: Selection = Selection()
    unsafe_fixes: bool = False
    #: The project index the analysis reads (:class:`flake8_pickle.project.runner.Project`), as
    #: flake8's run does; None: each file alone.
    project: Optional[Any] = field(default=None, compare=False)


@dataclass(frozen=True)
class Outcome:
    """What happened to one selected finding: ``fixed``, ``unsafe`` (needs ``--unsafe-fixes``),
    ``declined`` (with the reason), or ``no fix`` (the code has no automatic fix: the lint reports it)."""

    line: int
    code: str
    status: str
    safety: str = ""
    reason: str = ""


FIXED = "fixed"
NEEDS_UNSAFE = "unsafe"
DECLINED = "declined"
NO_FIX = "no fix"


@dataclass
class FileResult:
    """The fixed bytes of one file (equal to the input when nothing changed) and what was done."""

    original: bytes
    fixed: bytes
    outcomes: List[Outcome] = field(default_factory=list)
    #: Why the file was skipped (it is then left untouched).
    error: Optional[str] = None

    @property
    def changed(self) -> bool:
        """Whether the fixed bytes differ from the input."""
        return self.fixed != self.original


DEFAULT_OPTIONS = Options()


def fix_bytes(data: bytes, options: Options = DEFAULT_OPTIONS, filename: str = "<stdin>") -> FileResult:
    """Fix the source ``data``; errors (undecodable, unparsable) come back in ``error``."""
    try:
        decoded = decode(data)
        text, outcomes = fix_text(decoded.text, options, filename)
        fixed = decoded.encode(text) if outcomes and text != decoded.text else data
    except SourceError as exc:
        return FileResult(data, data, error=f"cannot parse: {exc}")
    except Exception as exc:  # noqa: BLE001 - an analysis bug skips the file, never corrupts it
        return FileResult(data, data, error=f"internal error: {type(exc).__name__}: {exc}")
    return FileResult(data, fixed, outcomes)


def _analyse(text: str, options: Options, filename: str) -> Tuple[ast.Module, Analysis]:
    tree = parse(text, filename)
    view = options.project.view(filename, tree) if options.project is not None else None
    return tree, run_analysis(tree, options.settings, inventory=False, source=text, project=view)


#: How long libcst may take to parse one file in the trial child before the file is skipped.
LIBCST_SECONDS = 120.0


def _libcst_trial(text: str) -> Optional[str]:
    """Parse ``text`` with libcst in a forked child first: libcst's native parser can crash the
    process (an 8,000-operand ``and`` overflows its stack) or run on and on, and neither may stop a
    run over many files. Returns why the file must be skipped, or None. Without ``os.fork`` (Windows)
    the parse is not isolated."""
    if not hasattr(os, "fork"):
        return None
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns when a multi-threaded process forks (a test runner's worker, say):
            # the child only parses and exits, and glibc's fork resets the allocator's locks.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: parse; only a crash or a hang tells the parent anything
        try:
            cst.parse_module(text)
        except BaseException:  # noqa: BLE001, S110 - the parent parses again and reports the error
            pass
        finally:
            os._exit(0)
    limit = LIBCST_SECONDS
    deadline = time.monotonic() + limit
    delay = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return f"libcst took longer than {limit:g} s to parse it"
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    if os.WIFSIGNALED(status):
        return f"libcst crashed parsing it (signal {os.WTERMSIG(status)})"
    if os.WEXITSTATUS(status) != 0:
        return "libcst crashed parsing it"
    return None


def _check_libcst(text: str) -> cst.Module:
    crashed = _libcst_trial(text)
    if crashed is not None:
        raise SourceError(crashed)
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SourceError(f"libcst cannot parse it: {str(exc).splitlines()[0]}") from exc
    except RecursionError as exc:
        raise SourceError("libcst cannot parse it: nesting too deep") from exc


def fix_text(text: str, options: Options = DEFAULT_OPTIONS, filename: str = "<unknown>") -> Tuple[str, List[Outcome]]:
    """Apply every selected fix to ``text``; return the new text and one outcome per fixable finding.

    Raises :class:`SourceError` when ``text`` does not parse (by ``ast`` or libcst).
    """
    original_lines = text.splitlines()
    tree, analysis = _analyse(text, options, filename)
    outcomes: List[Outcome] = [
        Outcome(f.line, f.code, NO_FIX, reason="no automatic fix; the lint reports it")
        for f in _selected(analysis.findings, options, original_lines)
        if not any(codemod.handles(f) for codemod in CODEMODS)
    ]
    parsed = False
    for codemod in CODEMODS:
        lines = text.splitlines()
        wanted = [f for f in _selected(analysis.findings, options, lines) if codemod.handles(f)]
        if not wanted:
            continue
        if not parsed:
            # Only a file with something to fix is parsed by libcst (slower, and less robust than ast).
            _check_libcst(text)
            parsed = True
        line_map = LineMap(original_lines, lines)
        facts = FixFacts(text, tree, analysis, options.settings, lines)
        accepted: List[Plan] = []
        for finding in wanted:
            try:
                planned = codemod.plan(finding, facts)
            except Exception as exc:  # noqa: BLE001 - a planning bug must not stop the run
                planned = Decline(finding, f"internal error while planning: {type(exc).__name__}: {exc}")
            original_line = line_map.original_line(finding.line)
            if isinstance(planned, Decline):
                outcomes.append(Outcome(original_line, finding.code, DECLINED, reason=planned.reason))
            elif planned.safety != SAFE and not options.unsafe_fixes:
                outcomes.append(Outcome(original_line, finding.code, NEEDS_UNSAFE, safety=planned.safety))
            else:
                accepted.append(planned)
        if not accepted:
            continue
        new_text, new_tree, new_analysis, kept, refused = _apply_verified(
            codemod, accepted, text, tree, analysis, options, filename
        )
        for plan in kept:
            outcomes.append(Outcome(line_map.original_line(plan.finding.line), plan.finding.code, FIXED, plan.safety))
        for plan, reason in refused:
            line = line_map.original_line(plan.finding.line)
            outcomes.append(Outcome(line, plan.finding.code, DECLINED, reason=reason))
        text, tree, analysis = new_text, new_tree, new_analysis
    outcomes.sort(key=lambda o: (o.line, o.code))
    return text, outcomes


def _selected(findings: Sequence[Finding], options: Options, lines: Sequence[str]) -> List[Finding]:
    """The findings the selection asks for and no ``# noqa`` on their line silences."""
    return [
        f
        for f in findings
        if options.selection.wants(f.code)
        and not (1 <= f.line <= len(lines) and noqa_silences(lines[f.line - 1], f.code))
    ]


def _apply_verified(
    codemod: Type[FixCodemod],
    plans: List[Plan],
    text: str,
    tree: ast.Module,
    analysis: Analysis,
    options: Options,
    filename: str,
) -> Tuple[str, ast.Module, Analysis, List[Plan], List[Tuple[Plan, str]]]:
    """Apply ``plans``; drop the ones the re-analysis does not confirm, and retry with the rest."""
    refused: List[Tuple[Plan, str]] = []
    before_scopes = ScopeMap(tree)
    before = count_by_identity(analysis.findings, before_scopes)
    while plans:
        try:
            new_text, applied = _apply(codemod, plans, text)
        except Exception as exc:  # noqa: BLE001 - a codemod bug must not corrupt the file
            refused.extend((p, f"internal error while rewriting: {type(exc).__name__}: {exc}") for p in plans)
            break
        missing = [p for p in plans if p.target not in applied]
        if missing:
            refused.extend((p, "the code to rewrite was not found") for p in missing)
            plans = [p for p in plans if p.target in applied]
            continue
        try:
            new_tree, new_analysis = _analyse(new_text, options, filename)
            _check_libcst(new_text)
        except SourceError as exc:
            refused.extend((p, f"the rewrite did not parse ({exc})") for p in plans)
            break
        failing = _unconfirmed(plans, before, before_scopes, new_analysis.findings, ScopeMap(new_tree))
        if not failing:
            return new_text, new_tree, new_analysis, plans, refused
        refused.extend((p, reason) for p, reason in failing)
        dropped = {id(p) for p, _ in failing}
        plans = [p for p in plans if id(p) not in dropped]
    return text, tree, analysis, [], refused


def _apply(codemod: Type[FixCodemod], plans: Sequence[Plan], text: str) -> Tuple[str, set]:
    module = cst.parse_module(text)
    command = codemod(CodemodContext(), plans)
    new_module = command.transform_module(module)
    return new_module.code, command.applied


def _unconfirmed(
    plans: Sequence[Plan],
    before: Dict[Tuple[str, str, str], int],
    before_scopes: ScopeMap,
    after_findings: Sequence[Finding],
    after_scopes: ScopeMap,
) -> List[Tuple[Plan, str]]:
    """Plans whose finding the re-analysis still reports, or all of them if a new finding appeared."""
    after = count_by_identity(after_findings, after_scopes)
    fixed: Dict[Tuple[str, str, str], List[Plan]] = {}
    for plan in plans:
        key = identity_of(plan.finding.code, plan.finding.message, before_scopes.scope_of(plan.finding.line))
        fixed.setdefault(key, []).append(plan)
    failing: List[Tuple[Plan, str]] = []
    for key, group in fixed.items():
        if after.get(key, 0) > before.get(key, 0) - len(group):
            failing.extend((p, "the fix did not remove the finding; left unchanged") for p in group)
    if failing:
        return failing
    new = [key for key, count in after.items() if count > before.get(key, 0)]
    if new:
        code, scope, message = new[0]
        where = f" in {scope}" if scope else ""
        shown = message.split(" ", 1)[-1]  # the identity blanks digits, the code's included
        reason = f"the fix would introduce {code}{where} ({shown}); left unchanged"
        # Blame the plans whose scope contains the new finding; all of them if none does.
        blamed = [p for p in plans if scope.startswith(before_scopes.scope_of(p.finding.line).split(".")[0])]
        return [(p, reason) for p in (blamed or list(plans))]
    return []


def fixable_codes() -> List[str]:
    """Every code some codemod can fix."""
    return sorted({code for codemod in CODEMODS for code in codemod.CODES})


__all__ = [
    "DECLINED",
    "FIXED",
    "NEEDS_UNSAFE",
    "FileResult",
    "Options",
    "Outcome",
    "Selection",
    "fix_bytes",
    "fix_text",
    "fixable_codes",
]
