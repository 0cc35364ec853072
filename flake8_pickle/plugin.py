"""flake8 glue: options, the run() entry point, failure wrapping. No analysis here."""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import replace
from typing import Any, ClassVar, Iterator, List, Sequence, Tuple, Type

from flake8.exceptions import PluginExecutionFailed

from . import __version__
from .analysis import Analysis, analyze, run_analysis
from .findings import Finding
from .rules import OFF_BY_DEFAULT, unknown_codes
from .project.runner import Project
from .settings import OPTIONS, PROJECT_OPTIONS, OptionError, Settings


def _explicitly_selected_inventory(options: Any) -> Tuple[str, ...]:
    """Inventory codes (PKL9xx) the user selected by a prefix at least as specific as ``PKL9``.

    flake8 lets an explicit ``--select PKL`` override the default ignore list; like
    bugbear's B9 checks, the inventories stay off then, because they repeat every
    other finding. ``--extend-select PKL901`` (or ``PKL9``) turns them on.
    """
    chosen = [code for option in ("select", "extend_select") for code in _codes(options, option)]
    return tuple(
        code for code in OFF_BY_DEFAULT if any(len(c) >= 4 and code.startswith(c) for c in chosen)
    )


def _codes(options: Any, option: str) -> List[str]:
    """The codes or prefixes flake8's selection option ``option`` (``extend_select``...) holds."""
    value = getattr(options, option, None) or ()
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v and v.strip()]


def _unknown_selected_codes(options: Any) -> List[str]:
    """Warnings for ``PKL`` codes of the selection options that name no code (``--select PKL999``)."""
    warnings: List[str] = []
    for option in ("select", "extend_select", "ignore", "extend_ignore"):
        ours = [code for code in _codes(options, option) if code.startswith("PKL")]
        warnings.extend(unknown_codes("--" + option.replace("_", "-"), ours))
    return warnings


def _jobs(options: Any) -> int:
    """flake8's ``--jobs`` as a number of processes (``auto``: one per CPU)."""
    jobs = getattr(options, "jobs", None)
    if jobs is None:
        return 1
    if getattr(jobs, "is_auto", False):
        return os.cpu_count() or 1
    try:
        return max(1, int(getattr(jobs, "n_jobs", jobs)))
    except (TypeError, ValueError):
        return 1


class PicklePlugin:
    """The ``PKL`` flake8 extension."""

    name = "flake8-pickle"
    version = __version__
    settings: ClassVar[Settings] = Settings()
    project: ClassVar[Project] = Project(Settings())

    def __init__(self, tree: ast.AST, filename: str = "(none)", lines: Sequence[str] = ()) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        """Register the ``--pickle-*`` options and leave the inventory codes off by default."""
        for option, help_text in OPTIONS.items():
            option_manager.add_option(
                f"--{option}",
                default="",
                parse_from_config=True,
                comma_separated_list=True,
                help=f"{help_text} Comma-separated. (flake8-pickle)",
            )
        for option, help_text in PROJECT_OPTIONS.items():
            # A path in a config file is read from that file's directory, as flake8 reads its own
            # (``pickle-project-root = .`` is the directory holding setup.cfg, wherever flake8 starts).
            option_manager.add_option(
                f"--{option}", default="", parse_from_config=True, normalize_paths=True, help=f"{help_text} (flake8-pickle)"
            )
        option_manager.extend_default_ignore(list(OFF_BY_DEFAULT))

    @classmethod
    def parse_options(cls, option_manager: Any, options: Any, args: List[str]) -> None:
        """Validate the options once at start-up; a bad value stops flake8 with a clear message."""
        raw = {}
        for option in (*OPTIONS, *PROJECT_OPTIONS):
            field_name = option[len("pickle-") :].replace("-", "_")
            raw[field_name] = getattr(options, option.replace("-", "_"), None) or ()
        try:
            settings = Settings.from_values(**raw)
        except OptionError as exc:
            option_manager.parser.error(str(exc))
        for warning in _unknown_selected_codes(options):
            print(warning, file=sys.stderr)
        cls.settings = replace(settings, inventory_codes=_explicitly_selected_inventory(options))
        # Built here, in flake8's main process, with its ``--jobs``: the workers it forks next share it.
        cls.project = Project(cls.settings, _jobs(options))
        cls.project.prepare(list(getattr(options, "filenames", None) or ()), getattr(options, "stdin_display_name", "stdin"))

    def analysis(self) -> Analysis:
        """The analysis of this file, as :meth:`findings` runs it: findings with their steps, and
        notes on loads judged safe (what ``flake8-pickle check`` reads besides flake8's tuples)."""
        source = "".join(self.lines) if self.lines else None
        view = self.project.view(self.filename, self.tree)
        return run_analysis(self.tree, self.settings, inventory=False, source=source, project=view)

    def findings(self) -> List[Finding]:
        """The findings for this file (flake8's run)."""
        source = "".join(self.lines) if self.lines else None
        view = self.project.view(self.filename, self.tree)
        return analyze(self.tree, self.settings, inventory=False, source=source, project=view)

    def run(self) -> Iterator[Tuple[int, int, str, Type["PicklePlugin"]]]:
        """Yield flake8 result tuples; an internal error becomes flake8's PluginExecutionFailed."""
        try:
            findings = self.findings()
        except Exception as exc:  # noqa: BLE001 - surfaced through flake8's own failure report
            raise PluginExecutionFailed(
                filename=self.filename,
                plugin_name=f"{self.name}[PKL]",
                exception=exc,
            ) from exc
        for finding in findings:
            yield finding.line, finding.col, finding.message, type(self)
