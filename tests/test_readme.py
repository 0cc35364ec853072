"""The README is the front door: its commands are the ones CI runs and its example output is real."""

from __future__ import annotations

import re
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


def test_every_option_has_a_config_block() -> None:
    from flake8_pickle.settings import OPTIONS, PROJECT_OPTIONS

    for option in (*OPTIONS, *PROJECT_OPTIONS):
        assert f"### `--{option}`" in README
        assert re.search(rf"```ini\n\[flake8\]\n{option} =", README), option
