"""The README is the front door: its commands are the ones CI runs and its example output is real."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _console_commands() -> list[str]:
    blocks = re.findall(r"```console\n(.*?)```", README, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r"^TEST_COMMAND='([^']+)'", ci, flags=re.M)
    assert match, ".ci/run must define TEST_COMMAND"
    test_command = match.group(1)
    assert f'python -m pip install -e ".[test]" && {test_command}' in _console_commands()
    assert 'pip install --quiet -e ".[test]"' in ci
    robustness = re.search(r"^ROBUSTNESS_COMMAND='([^']+)'", ci, flags=re.M)
    assert robustness, ".ci/run must define ROBUSTNESS_COMMAND"
    assert robustness.group(1) in _console_commands()
    assert "$TEST_COMMAND && $ROBUSTNESS_COMMAND" in ci


def test_the_robustness_runs_are_marked_and_left_out_of_the_suite_only() -> None:
    """The long runs carry the ``robustness`` marker, which the suite's options deselect and
    ``-m robustness`` selects; every other test of their module stays in the suite."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import test_robustness
    finally:
        sys.path.remove(str(ROOT / "tests"))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"""^addopts = ".*-m 'not robustness'.*"$""", pyproject, flags=re.M)
    marked = {
        name for name, test in vars(test_robustness).items()
        if name.startswith("test_") and any(mark.name == "robustness" for mark in getattr(test, "pytestmark", []))
    }
    assert marked == {
        "test_fuzz_grammar_generated_modules",
        "test_fuzz_libcst_generated_modules",
        "test_long_module_finishes_and_finds_every_loader",
        "test_whole_standard_library_without_plugin_failure",
    }


def test_readme_example_output_is_what_flake8_prints() -> None:
    assert "python -m pip install -e . && flake8 --select PKL examples/" in _console_commands()
    shown = re.search(r"The output on the bundled example package:\n\n```text\n(.*?)```", README, flags=re.S)
    assert shown, "README must show the example output"
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "PKL", "examples/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    assert sorted(proc.stdout.splitlines()) == sorted(shown.group(1).splitlines())


def test_the_example_is_clean_under_default_flake8_but_for_its_findings() -> None:
    """A user running plain ``flake8`` on the example sees the PKL findings and nothing else.

    The selection is flake8's default one (pycodestyle, pyflakes, mccabe) plus ours, so another plugin
    installed beside ours (dlint, bugbear) does not decide the outcome.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--pickle-project-root", "off",
         "--select", "E,F,W,C90,PKL", "examples/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines and [line for line in lines if ": PKL" not in line] == []


def test_every_option_has_a_config_block() -> None:
    from flake8_pickle.settings import OPTIONS, PROJECT_OPTIONS

    for option in (*OPTIONS, *PROJECT_OPTIONS):
        assert f"### `--{option}`" in README
        assert re.search(rf"```ini\n\[flake8\]\n{option} =", README), option


def _text_block_after(lead: str) -> str:
    shown = re.search(re.escape(lead) + r"[^\n]*\n\n```text\n(.*?)```", README, flags=re.S)
    assert shown, f"README must show the output after {lead!r}"
    return shown.group(1)


def _check(args: list[str], cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8_pickle", "check", *args], cwd=cwd, capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stderr
    return proc.stdout


def test_readme_explain_output_is_what_check_prints(tmp_path: Path) -> None:
    shown = _text_block_after("that holds it and where the class is copied. On the bundled example:")
    assert _check(["--isolated", "--explain", "examples/"], ROOT) == shown
    for lead, tree, args in (
        ("through two helpers (`tests/check/flows/handlers.py`):", "flows", ["--explain", "handlers.py"]),
        ("(`tests/check/explain/tiers.py`):", "explain", ["--explain", "--extend-select", "PKL901", "tiers.py"]),
    ):
        copy = tmp_path / tree
        shutil.copytree(ROOT / "tests" / "check" / tree, copy)  # the run writes its index cache there
        printed = _check(args, copy)
        blocks = re.split(r"\n(?=\S)", _text_block_after(lead).rstrip("\n"))
        assert all(block + "\n" in printed for block in blocks), printed
