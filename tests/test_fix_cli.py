"""The ``flake8-pickle fix`` command: modes, exit codes, byte-faithful rewriting, config, noqa."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import pytest

from cli_runner import run_cli

FIXTURES = Path(__file__).parent / "fixtures_fix"
LOCK_BEFORE = (FIXTURES / "pkl301_lock_before.py").read_bytes()
LOCK_AFTER = (FIXTURES / "pkl301_lock_after.py").read_bytes()
CLEAN = b'"""Nothing to fix here."""\nimport pickle\n\nDATA = pickle.dumps({"a": 1})\n'
SOCKET_CLASS = b"""import copy
import socket


class Client:
    def __init__(self):
        self.sock = socket.socket()


copy.deepcopy(Client())
"""


def fix(args: List[str], cwd: Path, stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    """``flake8-pickle fix ARGS`` in ``cwd``, in this process; stdout and stderr as bytes."""
    return run_cli(["fix", *args], cwd, stdin)


def write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- modes and exit codes


def test_fixes_a_file_in_place_and_reports_it(tmp_path: Path) -> None:
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    proc = fix(["limiter.py"], tmp_path)
    assert proc.returncode == 1
    assert path.read_bytes() == LOCK_AFTER
    out = proc.stdout.decode()
    assert "limiter.py:10: PKL301 fixed (safe)" in out
    assert "fixed 1 finding in 1 file" in out
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "temporary file left behind"


def test_second_run_is_a_fixed_point_with_exit_0(tmp_path: Path) -> None:
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    fix(["limiter.py"], tmp_path)
    proc = fix(["limiter.py"], tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert path.read_bytes() == LOCK_AFTER


def test_file_without_findings_is_not_rewritten(tmp_path: Path) -> None:
    path = write(tmp_path, "clean.py", CLEAN)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    proc = fix(["--unsafe-fixes", "clean.py"], tmp_path)
    assert proc.returncode == 0
    assert path.read_bytes() == CLEAN
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    proc = fix(["--diff", "limiter.py"], tmp_path)
    assert proc.returncode == 1
    assert path.read_bytes() == LOCK_BEFORE
    diff = proc.stdout.decode()
    assert diff.startswith("--- limiter.py\n+++ limiter.py\n")
    assert "+    def __getstate__(self):" in diff
    assert "PKL301 would be fixed (safe)" in proc.stderr.decode()


def test_check_exits_1_when_something_would_change_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    write(tmp_path, "clean.py", CLEAN)
    assert fix(["--check", "limiter.py"], tmp_path).returncode == 1
    assert path.read_bytes() == LOCK_BEFORE
    assert fix(["--check", "clean.py"], tmp_path).returncode == 0


def test_stdin_to_stdout(tmp_path: Path) -> None:
    proc = fix(["-"], tmp_path, stdin=LOCK_BEFORE)
    assert proc.returncode == 1
    assert proc.stdout == LOCK_AFTER
    assert "stdin:10: PKL301 fixed (safe)" in proc.stderr.decode()
    named = fix(["--stdin-display-name", "pkg/limiter.py", "-"], tmp_path, stdin=LOCK_BEFORE)
    assert "pkg/limiter.py:10: PKL301 fixed" in named.stderr.decode()
    unchanged = fix(["-"], tmp_path, stdin=CLEAN)
    assert unchanged.returncode == 0 and unchanged.stdout == CLEAN


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    path = write(tmp_path, "client.py", SOCKET_CLASS)
    proc = fix(["client.py"], tmp_path)
    assert proc.returncode == 0  # nothing changed: the lint hook reports what is left
    assert path.read_bytes() == SOCKET_CLASS
    assert "client.py:5: PKL301 not fixed: unsafe fix, use --unsafe-fixes" in proc.stdout.decode()
    assert "left unfixed: 1 needs --unsafe-fixes" in proc.stdout.decode()
    assert fix(["--exit-non-zero-on-unfixed", "client.py"], tmp_path).returncode == 1
    proc = fix(["--unsafe-fixes", "client.py"], tmp_path)
    assert proc.returncode == 1
    assert b"self.sock = None" in path.read_bytes()
    assert "PKL301 fixed (unsafe)" in proc.stdout.decode()


UNFIXABLE = b"""import pickle
import socket


def serve(sock: socket.socket):
    return pickle.loads(sock.recv(4096))
"""


def test_findings_without_a_fix_are_named_and_left_to_the_lint(tmp_path: Path) -> None:
    """A pre-commit fix hook passes on a file it cannot fix, and says why; the lint reports it."""
    path = write(tmp_path, "server.py", UNFIXABLE)
    proc = fix(["--unsafe-fixes", "server.py"], tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 0, out
    assert path.read_bytes() == UNFIXABLE
    assert "server.py:6: PKL101 not fixed: no automatic fix; the lint reports it" in out
    assert "fixed 0 findings; left unfixed: 1 with no automatic fix." in out
    strict = fix(["--unsafe-fixes", "--exit-non-zero-on-unfixed", "server.py"], tmp_path)
    assert strict.returncode == 1
    assert fix(["--select", "PKL3", "server.py"], tmp_path).stdout.decode().startswith("flake8-pickle: fixed 0 findings.")


def test_the_hook_fails_only_on_the_run_that_changed_a_file(tmp_path: Path) -> None:
    write(tmp_path, "limiter.py", LOCK_BEFORE)
    write(tmp_path, "client.py", SOCKET_CLASS)  # needs --unsafe-fixes: left to the lint
    write(tmp_path, "server.py", UNFIXABLE)  # no fix at all: left to the lint
    assert fix(["."], tmp_path).returncode == 1
    again = fix(["."], tmp_path)
    assert again.returncode == 0, again.stdout.decode()
    # client.py's deepcopy (PKL201) and server.py's load (PKL101) have no automatic fix.
    assert "left unfixed: 1 needs --unsafe-fixes, 2 with no automatic fix" in again.stdout.decode()


def test_an_option_naming_a_calls_result_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "limiter.py", LOCK_BEFORE)
    proc = fix(["--pickle-extra-loaders", "mylib.serial.load_blob()", "limiter.py"], tmp_path)
    assert proc.returncode == 2
    assert "--pickle-extra-loaders: 'mylib.serial.load_blob()' names a call's result" in proc.stderr.decode()
    assert fix(["--pickle-untrusted-sources", "app.current_payload()", "--diff", "limiter.py"], tmp_path).returncode == 1


@pytest.mark.parametrize("args, warned", [
    (["--select", "PKL999"], "--select PKL999"),
    (["--ignore", "PKL9,XYZ1"], "--ignore XYZ1"),
])
def test_codes_that_match_nothing_are_warned_about(tmp_path: Path, args: List[str], warned: str) -> None:
    write(tmp_path, "limiter.py", LOCK_BEFORE)
    proc = fix([*args, "--diff", "limiter.py"], tmp_path)
    assert f"flake8-pickle: warning: {warned} matches no flake8-pickle code" in proc.stderr.decode()
    assert "PKL9 " not in proc.stderr.decode()
    assert "warning" not in fix(["--select", "PKL3", "--diff", "limiter.py"], tmp_path).stderr.decode()


def test_libcst_reads_only_files_with_something_to_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file libcst cannot handle (an 8,000-operand ``and`` crashes its parser) is never given to it
    unless a fix is wanted there."""
    from flake8_pickle.fix import engine

    def refuse(text: str):
        raise AssertionError("libcst was asked to parse a file with nothing to fix")

    monkeypatch.setattr(engine, "_check_libcst", refuse)
    long_and = b"x = " + b" and ".join(b"a%d" % i for i in range(8000)) + b"\n"
    write(tmp_path, "long.py", long_and)
    write(tmp_path, "server.py", UNFIXABLE)
    proc = fix(["long.py", "server.py"], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()


def test_directories_recurse_and_skip_hidden_venv_and_build(tmp_path: Path) -> None:
    write(tmp_path, "pkg/a.py", LOCK_BEFORE)
    write(tmp_path, "pkg/sub/b.py", LOCK_BEFORE)
    write(tmp_path, "pkg/notes.txt", LOCK_BEFORE)
    skipped = ["pkg/.hidden/c.py", "pkg/build/d.py", "pkg/venv/e.py", "pkg/myenv/lib/f.py", "pkg/x.egg-info/g.py"]
    for name in skipped:
        write(tmp_path, name, LOCK_BEFORE)
    write(tmp_path, "pkg/myenv/pyvenv.cfg", b"home = /usr\n")
    proc = fix(["pkg"], tmp_path)
    assert proc.returncode == 1
    assert (tmp_path / "pkg/a.py").read_bytes() == LOCK_AFTER
    assert (tmp_path / "pkg/sub/b.py").read_bytes() == LOCK_AFTER
    assert (tmp_path / "pkg/notes.txt").read_bytes() == LOCK_BEFORE
    for name in skipped:
        assert (tmp_path / name).read_bytes() == LOCK_BEFORE, name
    assert "fixed 2 findings in 2 files" in proc.stdout.decode()


def test_unparsable_file_is_skipped_named_and_the_run_goes_on(tmp_path: Path) -> None:
    write(tmp_path, "broken.py", b"def f(:\n    pass\n")
    good = write(tmp_path, "good.py", LOCK_BEFORE)
    proc = fix(["broken.py", "good.py"], tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "broken.py: skipped: cannot parse: line 1:" in err
    assert good.read_bytes() == LOCK_AFTER
    assert "1 file skipped" in proc.stdout.decode()


def test_undecodable_file_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "bad.py", b"x = '\xff\xfe'\n")
    proc = fix(["bad.py"], tmp_path)
    assert proc.returncode == 2
    assert "bad.py: skipped: cannot parse: " in proc.stderr.decode()


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    proc = fix(["nowhere.py"], tmp_path)
    assert proc.returncode == 2
    assert "nowhere.py: skipped: cannot read" in proc.stderr.decode()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert fix([], tmp_path).returncode == 2
    assert fix(["--diff", "--check", "x.py"], tmp_path).returncode == 2
    assert subprocess.run([sys.executable, "-m", "flake8_pickle"], capture_output=True, check=False).returncode == 2


def test_write_keeps_permissions(tmp_path: Path) -> None:
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    path.chmod(0o640)
    fix(["limiter.py"], tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# --------------------------------------------------------------------------- byte fidelity


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _tabs(data: bytes) -> bytes:
    lines = []
    for line in data.split(b"\n"):
        stripped = line.lstrip(b" ")
        lines.append(b"\t" * ((len(line) - len(stripped)) // 4) + stripped)
    return b"\n".join(lines)


def _latin1(data: bytes) -> bytes:
    docstring = '"""Counts calls under a lock."""'
    text = data.decode("utf-8").replace(docstring, docstring.replace("lock.", "lock (caf\u00e9)."))
    return ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1")


@pytest.mark.parametrize(
    "transform",
    [_crlf, lambda d: b"\xef\xbb\xbf" + d, _tabs, _latin1, lambda d: b"\xef\xbb\xbf" + _crlf(_tabs(d))],
    ids=["crlf", "bom", "tabs", "latin-1", "bom-crlf-tabs"],
)
def test_line_endings_bom_tabs_and_encoding_are_preserved(tmp_path: Path, transform) -> None:
    path = write(tmp_path, "limiter.py", transform(LOCK_BEFORE))
    proc = fix(["limiter.py"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    expected = transform(LOCK_AFTER)
    if transform is _latin1:
        # The cookie line shifts the reported line by one; the bytes still match exactly.
        assert "limiter.py:11: PKL301 fixed" in proc.stdout.decode()
    assert path.read_bytes() == expected
    assert fix(["limiter.py"], tmp_path).returncode == 0


# --------------------------------------------------------------------------- selection and noqa


def test_select_and_ignore(tmp_path: Path) -> None:
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    assert fix(["--ignore", "PKL301", "limiter.py"], tmp_path).returncode == 0
    assert fix(["--select", "PKL1", "limiter.py"], tmp_path).returncode == 0
    assert fix(["--select", "PKL", "--ignore", "PKL3", "limiter.py"], tmp_path).returncode == 0
    assert path.read_bytes() == LOCK_BEFORE
    assert fix(["--select", "PKL30", "--ignore", "PKL3", "limiter.py"], tmp_path).returncode == 1
    assert path.read_bytes() == LOCK_AFTER


@pytest.mark.parametrize(
    "comment,fixed",
    [
        ("  # noqa", False),
        ("  # noqa: PKL301", False),
        ("  # NOQA:PKL3", False),
        ("  # noqa: E501,PKL301", False),
        ("  # noqa: E501", True),
        ("  # noqa: PKL101", True),
    ],
)
def test_noqa_on_the_reported_line(tmp_path: Path, comment: str, fixed: bool) -> None:
    source = LOCK_BEFORE.replace(b"class RateLimiter:\n", b"class RateLimiter:" + comment.encode() + b"\n")
    path = write(tmp_path, "limiter.py", source)
    proc = fix(["limiter.py"], tmp_path)
    assert (path.read_bytes() != source) is fixed
    assert proc.returncode == (1 if fixed else 0)


# --------------------------------------------------------------------------- configuration

EXTRA_RESOURCE = b"""import copy

import mylib


class Pooled:
    def __init__(self):
        self.pool = mylib.Pool()


copy.deepcopy(Pooled())
"""


@pytest.mark.parametrize("config_name", ["setup.cfg", "tox.ini", ".flake8"])
def test_reads_pickle_options_from_the_nearest_flake8_config(tmp_path: Path, config_name: str) -> None:
    write(tmp_path, config_name, b"[flake8]\npickle_extra_resources =\n    mylib.Pool\n")
    path = write(tmp_path, "src/pooled.py", EXTRA_RESOURCE)
    proc = fix(["--unsafe-fixes", "pooled.py"], tmp_path / "src")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert b"self.pool = None" in path.read_bytes()
    path.write_bytes(EXTRA_RESOURCE)
    assert fix(["--isolated", "--unsafe-fixes", "pooled.py"], tmp_path / "src").returncode == 0


def test_explicit_config_and_command_line_option(tmp_path: Path) -> None:
    write(tmp_path, "custom.ini", b"[flake8]\npickle-extra-resources = mylib.Pool\n")
    path = write(tmp_path, "pooled.py", EXTRA_RESOURCE)
    assert fix(["--config", "custom.ini", "--check", "--unsafe-fixes", "pooled.py"], tmp_path).returncode == 1
    assert fix(["--check", "--unsafe-fixes", "pooled.py"], tmp_path).returncode == 0
    proc = fix(["--pickle-extra-resources", "mylib.Pool", "--check", "--unsafe-fixes", "pooled.py"], tmp_path)
    assert proc.returncode == 1
    assert path.read_bytes() == EXTRA_RESOURCE


@pytest.mark.parametrize(
    "config",
    [
        b"[flake8]\npickle-extra-resources = not a name!\n",
        b"[flake8]\npickle-sanitizers = 1bad\n",
    ],
)
def test_bad_config_value_exits_2_naming_the_option(tmp_path: Path, config: bytes) -> None:
    write(tmp_path, "setup.cfg", config)
    write(tmp_path, "limiter.py", LOCK_BEFORE)
    proc = fix(["limiter.py"], tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    option = config.split(b"\n")[1].split(b"=")[0].strip().decode()
    assert f"--{option}" in err and "setup.cfg" in err
    assert (tmp_path / "limiter.py").read_bytes() == LOCK_BEFORE


def test_unreadable_config_exits_2(tmp_path: Path) -> None:
    write(tmp_path, "custom.ini", b"this is not ini\n")
    write(tmp_path, "limiter.py", LOCK_BEFORE)
    proc = fix(["--config", "custom.ini", "limiter.py"], tmp_path)
    assert proc.returncode == 2
    assert "custom.ini" in proc.stderr.decode()


# --------------------------------------------------------------------------- entry points


def test_console_script_when_installed(tmp_path: Path) -> None:
    script = shutil.which("flake8-pickle", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the flake8-pickle script is not installed in this environment (reinstall the package)")
    proc = subprocess.run([script, "fix", "-"], input=LOCK_BEFORE, capture_output=True, check=False)
    assert proc.returncode == 1 and proc.stdout == LOCK_AFTER


def test_pre_commit_hook_definition() -> None:
    text = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: flake8-pickle-fix" in text
    assert "entry: flake8-pickle fix" in text
    assert "language: python" in text
    assert "types: [python]" in text


# --------------------------------------------------------------------------- faults


def _script() -> str:
    script = shutil.which("flake8-pickle", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the flake8-pickle script is not installed in this environment (reinstall the package)")
    return script


@pytest.mark.parametrize(
    "redirect, says",
    [
        ("<&-", "stdin or stdout is closed"),
        ("< limiter.py >&-", "stdin or stdout is closed"),
        ("< limiter.py > /dev/full", "No space left on device"),
    ],
    ids=["closed-stdin", "closed-stdout", "full-stdout"],
)
def test_closed_and_full_streams_exit_2_with_a_message(tmp_path: Path, redirect: str, says: str) -> None:
    if not os.path.exists("/dev/full") and "full" in redirect:
        pytest.skip("no /dev/full here")
    write(tmp_path, "limiter.py", LOCK_BEFORE)
    proc = subprocess.run(
        ["bash", "-c", f'"$0" fix - {redirect}', _script()], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr


def test_a_file_edited_meanwhile_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flake8_pickle.fix import cli

    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    real_fix_bytes = cli.fix_bytes

    def edited_while_fixing(data, options, name):
        result = real_fix_bytes(data, options, name)
        path.write_bytes(LOCK_BEFORE + b"# someone else's edit\n")
        return result

    monkeypatch.setattr(cli, "fix_bytes", edited_while_fixing)
    proc = fix(["limiter.py"], tmp_path)
    assert proc.returncode == 2
    assert path.read_bytes() == LOCK_BEFORE + b"# someone else's edit\n"
    assert "limiter.py: not written: it changed since it was read" in proc.stderr.decode()
    assert "fixed (safe)" not in proc.stdout.decode()  # never reported as fixed
    assert "fixed 0 findings" in proc.stdout.decode() and "1 file skipped" in proc.stdout.decode()


def test_a_failed_write_is_not_reported_as_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flake8_pickle.fix import cli

    path = write(tmp_path, "limiter.py", LOCK_BEFORE)

    def disk_full(path, data, read):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "replace_source", disk_full)
    proc = fix(["limiter.py"], tmp_path)
    assert proc.returncode == 2
    assert path.read_bytes() == LOCK_BEFORE
    assert "limiter.py: not written: No space left on device" in proc.stderr.decode()
    assert "PKL301 fixed" not in proc.stdout.decode()


def test_a_symlink_is_fixed_through_and_stays_a_link(tmp_path: Path) -> None:
    target = write(tmp_path, "real/limiter.py", LOCK_BEFORE)
    link = tmp_path / "limiter.py"
    link.symlink_to(target)
    assert fix(["limiter.py"], tmp_path).returncode == 1
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == LOCK_AFTER


def test_hard_links_stay_one_file(tmp_path: Path) -> None:
    first = write(tmp_path, "limiter.py", LOCK_BEFORE)
    second = tmp_path / "also.txt"
    os.link(first, second)
    assert fix(["limiter.py"], tmp_path).returncode == 1
    assert first.read_bytes() == second.read_bytes() == LOCK_AFTER
    assert os.stat(first).st_ino == os.stat(second).st_ino and os.stat(first).st_nlink == 2


def test_extended_attributes_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    try:
        os.setxattr(path, "user.reviewed", b"yes")
    except (AttributeError, OSError):
        pytest.skip("no user extended attributes on this file system")
    assert fix(["limiter.py"], tmp_path).returncode == 1
    assert path.read_bytes() == LOCK_AFTER
    assert os.getxattr(path, "user.reviewed") == b"yes"


def test_owner_and_group_are_kept(tmp_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("giving a file to another owner needs root")
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    os.chown(path, 4242, 4343)
    assert fix(["limiter.py"], tmp_path).returncode == 1
    assert path.read_bytes() == LOCK_AFTER
    assert (os.stat(path).st_uid, os.stat(path).st_gid) == (4242, 4343)


def test_a_file_that_crashes_libcst_is_skipped_and_the_run_goes_on(tmp_path: Path) -> None:
    """libcst's native parser overflows its stack on an 8,000-operand ``and`` (a segfault): the file
    is parsed in a child process first, skipped with a message, and the other files are fixed."""
    if not hasattr(os, "fork"):
        pytest.skip("the libcst parse is isolated where os.fork exists")
    long_and = b"FLAGS = " + b" and ".join(b"a%d" % i for i in range(8000)) + b"\n"
    crash = write(tmp_path, "crash.py", LOCK_BEFORE + long_and)
    ok = write(tmp_path, "ok.py", LOCK_BEFORE)
    proc = subprocess.run([_script(), "fix", "crash.py", "ok.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "crash.py: skipped: cannot parse: libcst crashed parsing it (signal" in proc.stderr
    assert crash.read_bytes() == LOCK_BEFORE + long_and
    assert ok.read_bytes() == LOCK_AFTER


def test_a_parse_that_does_not_end_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("the libcst parse is isolated where os.fork exists")
    import time

    from flake8_pickle.fix import engine

    monkeypatch.setattr(engine, "LIBCST_SECONDS", 0.5)
    monkeypatch.setattr(engine.cst, "parse_module", lambda text: time.sleep(30))
    path = write(tmp_path, "limiter.py", LOCK_BEFORE)
    proc = fix(["limiter.py"], tmp_path)
    assert proc.returncode == 2
    assert "libcst took longer than 0.5 s to parse it" in proc.stderr.decode()
    assert path.read_bytes() == LOCK_BEFORE


WEBAPP = Path(__file__).parent / "projects" / "webapp"


def _lines(text: str, code: str) -> List[str]:
    """``path:line`` of each ``code`` finding in flake8's or the fixer's output."""
    found = []
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) > 2 and code in line:
            found.append(f"{parts[0].removeprefix('./')}:{parts[1]}")
    return sorted(found)


def test_the_fixer_reads_the_project_index_as_the_lint_does(tmp_path: Path) -> None:
    """A class that another module pickles (PKL301 only with the project index) is listed and fixed
    by the fixer, as flake8 reports it; with the index off, neither sees it. Before, the fixer read
    each file alone: it listed none of the project's cross-module findings (and one flake8 did not
    report), so its pre-commit hook passed where flake8's failed."""
    root = tmp_path / "webapp"
    shutil.copytree(WEBAPP, root, ignore=shutil.ignore_patterns(".flake8_pickle_cache", "__pycache__"))
    lint = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "PKL3", "."], cwd=root, capture_output=True, text=True, check=False
    )
    expected = _lines(lint.stdout, "PKL3")
    assert "webapp/res_journal.py:4" in expected, lint.stdout  # pickled only from other modules
    listed = fix(["--check", "--isolated", "--select", "PKL3", "."], root)
    assert _lines(listed.stdout.decode(), "PKL3") == expected, listed.stdout
    alone = fix(["--check", "--isolated", "--select", "PKL3", "--pickle-project-root", "off", "."], root)
    assert "webapp/res_journal.py:4" not in _lines(alone.stdout.decode(), "PKL3")
    bad = fix(["--check", "--isolated", "--pickle-project-root", str(tmp_path / "missing"), "."], root)
    assert bad.returncode == 2 and b"--pickle-project-root" in bad.stderr, bad.stderr


def test_a_project_path_in_the_config_is_read_from_the_config_files_directory(tmp_path: Path) -> None:
    """``pickle-project-root = .`` in setup.cfg is the directory holding it, wherever the fixer (or
    flake8) is started: run from a subdirectory, the findings are those of a run from the root."""
    root = tmp_path / "webapp"
    shutil.copytree(WEBAPP, root, ignore=shutil.ignore_patterns(".flake8_pickle_cache", "__pycache__"))
    (root / "setup.cfg").write_text("[flake8]\npickle-project-root = .\n", encoding="utf-8")
    from_root = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "PKL1", "webapp/serializers.py"], cwd=root, capture_output=True, text=True, check=False
    )
    from_below = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "PKL1", "serializers.py"], cwd=root / "webapp", capture_output=True, text=True, check=False
    )
    assert "PKL101" in from_root.stdout, from_root.stdout + from_root.stderr
    assert [line.split(":", 1)[1] for line in from_below.stdout.splitlines()] == [
        line.split(":", 1)[1] for line in from_root.stdout.splitlines()
    ]
    fixer_below = fix(["--check", "--select", "PKL3", "."], root / "webapp")
    fixer_root = fix(["--check", "--select", "PKL3", "."], root)
    assert len(_lines(fixer_below.stdout.decode(), "PKL3")) == len(_lines(fixer_root.stdout.decode(), "PKL3")) > 0


def test_check_with_a_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    """``flake8-pickle check --config`` naming no file says so and exits 2, as flake8 does (probe F: a
    traceback)."""
    write(tmp_path, "client.py", b"import pickle\n")
    proc = subprocess.run(
        [sys.executable, "-m", "flake8_pickle", "check", "--config", str(tmp_path / "missing.cfg"), "client.py"],
        cwd=tmp_path, capture_output=True, check=False,
    )
    assert proc.returncode == 2, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    assert b"The specified config file does not exist" in proc.stderr
