"""The project index, end to end: fixture projects under tests/projects, linted by the real flake8
from the project root, as a user runs it.

Each project's files carry ``# expect:`` annotations like the single-file fixtures; every line
without one asserts that nothing is reported. Each run works on a copy of the project in a
temporary directory, so the cache the index writes never lands in the repository.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from flake8 import utils as flake8_utils

from annotations import compare, missing_columns, parse_expectations
from flake8_pickle.check import run_flake8

PROJECTS = Path(__file__).parent / "projects"
PROJECT_DIRS = sorted(p for p in PROJECTS.iterdir() if p.is_dir())
FORMAT = "%(path)s:%(row)d:%(col)d:%(code)s %(text)s"
_OUTPUT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+):(?P<code>[A-Z]+[0-9]+) (?P<text>.*)$")

Found = Dict[str, Dict[int, List[Tuple[str, int, str]]]]


def copy_project(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".flake8_pickle_cache", "__pycache__"))
    return target


def flake8(root: Path, *args: str, stdin: Optional[str] = None, expect_error: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "PKL", "--format", FORMAT, *args],
        cwd=root,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if not expect_error:
        assert proc.returncode in (0, 1), f"flake8 failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        assert "PluginExecutionFailed" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def parse(output: str) -> Found:
    found: Found = defaultdict(lambda: defaultdict(list))
    for raw in output.splitlines():
        match = _OUTPUT.match(raw)
        assert match, f"unexpected flake8 output line: {raw!r}"
        path = Path(match.group("path")).as_posix()
        path = path[2:] if path.startswith("./") else path
        code = match.group("code")
        found[path][int(match.group("line"))].append((code, int(match.group("col")), f"{code} {match.group('text')}"))
    return found


def mismatches(root: Path, found: Found) -> List[str]:
    problems: List[str] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if ".flake8_pickle_cache" in relative:
            continue
        expected = parse_expectations(path)
        problems.extend(missing_columns(relative, expected))
        problems.extend(compare(relative, expected, found.get(relative, {})))
    unknown = set(found) - {p.relative_to(root).as_posix() for p in root.rglob("*.py")}
    problems.extend(f"{path}: reported for a file that is not in the project" for path in sorted(unknown))
    return problems


@pytest.mark.parametrize("project", PROJECT_DIRS, ids=lambda p: p.name)
def test_project_findings_by_path(project: Path, tmp_path: Path) -> None:
    root = copy_project(project, tmp_path)
    cold = flake8(root, ".")
    assert mismatches(root, parse(cold.stdout)) == []
    # A warm run (every summary read from the cache) reports exactly the same.
    warm = flake8(root, ".")
    assert sorted(warm.stdout.splitlines()) == sorted(cold.stdout.splitlines())


@pytest.mark.parametrize("project", PROJECT_DIRS, ids=lambda p: p.name)
def test_jobs_give_identical_findings(project: Path, tmp_path: Path) -> None:
    root = copy_project(project, tmp_path)
    parallel_cold = flake8(root, "-j", "8", ".")
    serial = flake8(root, "-j", "1", ".")
    shutil.rmtree(root / ".flake8_pickle_cache")
    serial_cold = flake8(root, "-j", "1", ".")
    assert sorted(parallel_cold.stdout.splitlines()) == sorted(serial.stdout.splitlines())
    assert sorted(serial_cold.stdout.splitlines()) == sorted(serial.stdout.splitlines())


def in_process(root: Path, *args: str, stdin: Optional[str] = None) -> Found:
    """flake8's application in this process, run from ``root`` (``stdin`` is what it reads for ``-``)."""
    saved = (sys.stdin, os.getcwd())
    flake8_utils.stdin_get_value.cache_clear()
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    os.chdir(root)
    try:
        violations, _, _ = run_flake8(["--isolated", "--select", "PKL", *args])
    finally:
        sys.stdin = saved[0]
        os.chdir(saved[1])
        flake8_utils.stdin_get_value.cache_clear()
    found: Found = defaultdict(lambda: defaultdict(list))
    for v in violations:
        path = Path(v.filename).as_posix()  # type: ignore[attr-defined]
        path = path[2:] if path.startswith("./") else path
        found[path][v.line_number].append((v.code, v.column_number, f"{v.code} {v.text}"))  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("project", PROJECT_DIRS, ids=lambda p: p.name)
def test_project_findings_by_stdin(project: Path, tmp_path: Path) -> None:
    """An editor sends the file's text on stdin and names it: the same findings as by path.

    Each file runs through flake8's application in this process (the real ``flake8`` by stdin is
    ``test_unsaved_text_on_stdin_is_what_is_analysed``); the by-path findings are the real flake8's."""
    root = copy_project(project, tmp_path)
    by_path = parse(flake8(root, ".").stdout)
    assert by_path, "the project reports nothing: the comparison would be empty"
    problems: List[str] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if ".flake8_pickle_cache" in relative:
            continue
        found = in_process(root, "--stdin-display-name", relative, "-", stdin=path.read_text(encoding="utf-8"))
        want = {relative: by_path[relative]} if relative in by_path else {}
        if found != want:
            problems.append(f"{relative}: stdin {dict(found)} != path {want}")
    assert problems == []


WEBAPP = PROJECTS / "webapp"


def _codes(proc: subprocess.CompletedProcess) -> List[Tuple[str, int, str]]:
    found = parse(proc.stdout)
    return sorted((path, line, code) for path, lines in found.items() for line, entries in lines.items() for code, _, _ in entries)


def test_a_changed_callee_changes_the_callers_findings(tmp_path: Path) -> None:
    root = copy_project(WEBAPP, tmp_path)
    before = _codes(flake8(root, "webapp/views.py"))
    assert ("webapp/views.py", 30, "PKL101") in before
    transport = root / "webapp" / "transport.py"
    original = transport.read_text(encoding="utf-8")
    transport.write_text(original.replace("return request.get_data()", 'return b"static"'), encoding="utf-8")
    after = _codes(flake8(root, "webapp/views.py"))
    assert ("webapp/views.py", 30, "PKL101") not in after
    assert [c for c in after if c[1] != 30] == [c for c in before if c[1] != 30]
    transport.write_text(original, encoding="utf-8")
    assert _codes(flake8(root, "webapp/views.py")) == before


def test_a_changed_store_in_another_module_changes_the_loads_findings(tmp_path: Path) -> None:
    """``holder_views.py`` stores request data in ``UploadConfig.last_blob``; once it stores a literal
    instead, the load in ``holders.py`` is no longer PKL101 on the next run (the cache holds the old
    summary under the old content)."""
    root = copy_project(WEBAPP, tmp_path)
    before = _codes(flake8(root, "webapp/holders.py"))
    assert ("webapp/holders.py", 12, "PKL101") in before
    views = root / "webapp" / "holder_views.py"
    original = views.read_text(encoding="utf-8")
    views.write_text(original.replace("UploadConfig.last_blob = request.data", 'UploadConfig.last_blob = b"static"'), encoding="utf-8")
    after = _codes(flake8(root, "webapp/holders.py"))
    assert ("webapp/holders.py", 12, "PKL101") not in after
    assert [c for c in after if c[1] != 12] == [c for c in before if c[1] != 12]
    views.write_text(original, encoding="utf-8")
    assert _codes(flake8(root, "webapp/holders.py")) == before


def test_unsaved_text_on_stdin_is_what_is_analysed(tmp_path: Path) -> None:
    """The editor's buffer differs from the file on disk: the buffer's findings are reported."""
    root = copy_project(WEBAPP, tmp_path)
    text = (root / "webapp" / "views.py").read_text(encoding="utf-8")
    edited = text.replace("return pickle.loads(cached_blob())", "return pickle.loads(read_body())")
    proc = flake8(root, "--stdin-display-name", "webapp/views.py", "-", stdin=edited)
    assert ("webapp/views.py", 34, "PKL101") in _codes(proc)
    assert ("webapp/views.py", 34, "PKL101") not in _codes(flake8(root, "webapp/views.py"))


def _entries(root: Path) -> List[Path]:
    return sorted(p for p in (root / ".flake8_pickle_cache").rglob("*.json"))


def test_corrupt_and_foreign_cache_entries_are_rebuilt(tmp_path: Path) -> None:
    root = copy_project(WEBAPP, tmp_path)
    reference = sorted(flake8(root, ".").stdout.splitlines())
    entries = _entries(root)
    assert entries, "the first run wrote no cache entries"
    for number, entry in enumerate(entries):
        if number % 3 == 0:
            entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])  # cut off mid-write
        elif number % 3 == 1:
            entry.write_bytes(b"\x00\xff not json")
        else:
            data = json.loads(entry.read_text(encoding="utf-8"))
            data["schema"] = 999  # another version's summary under the same name
            data["functions"] = {}
            entry.write_text(json.dumps(data), encoding="utf-8")
    assert sorted(flake8(root, ".").stdout.splitlines()) == reference
    for entry in _entries(root):
        assert json.loads(entry.read_text(encoding="utf-8"))["schema"] != 999


def test_an_entry_copied_over_another_modules_is_not_read(tmp_path: Path) -> None:
    """An entry holding another module's summary (copied over, or swapped by a tool) is a miss: each
    entry names the key it was written under. Before, the run failed (KeyError) or graded with the
    wrong module's facts."""
    root = copy_project(WEBAPP, tmp_path)
    reference = sorted(flake8(root, ".").stdout.splitlines())
    entries = [entry for entry in _entries(root) if len(entry.parent.name) == 2]  # the summaries
    assert len(entries) > 10, "the first run wrote too few summaries"
    contents = [entry.read_bytes() for entry in entries]
    for entry, content in zip(entries, contents[1:] + contents[:1]):
        entry.write_bytes(content)  # each entry now holds the next one's summary
    assert sorted(flake8(root, ".").stdout.splitlines()) == reference
    rewritten = [entry.read_bytes() == content for entry, content in zip(entries, contents)]
    assert any(rewritten)  # those the run read were summarised and written again


def test_a_cache_directory_that_cannot_be_looked_into_is_as_good_as_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache directory this user may not enter (another user's, mode 700): nothing is read from it
    or written to it, and the findings are those of a run with a cache of its own. Before, asking
    whether an entry was there raised PermissionError and the plugin failed on every file. (The
    tests run as root, who may enter anything: Path.is_file, is_dir and open are made to refuse.)"""
    import builtins
    import pathlib

    root = copy_project(WEBAPP, tmp_path)
    reference = in_process(root, "-j", "1", "--pickle-cache-dir", str(tmp_path / "own"), ".")
    locked = str(tmp_path / "locked")
    (tmp_path / "locked").mkdir()

    def refusing(real):  # type: ignore[no-untyped-def]
        def checked(self: object, *args: object, **kwargs: object) -> object:
            if str(self).startswith(locked):
                raise PermissionError(13, "Permission denied", str(self))
            return real(self, *args, **kwargs)
        return checked

    monkeypatch.setattr(pathlib.Path, "is_file", refusing(pathlib.Path.is_file))
    monkeypatch.setattr(pathlib.Path, "is_dir", refusing(pathlib.Path.is_dir))
    monkeypatch.setattr(builtins, "open", refusing(builtins.open))
    found = in_process(root, "-j", "1", "--pickle-cache-dir", locked + "/cache", ".")
    assert found == reference


def test_unwritable_cache_directory_falls_back_to_memory(tmp_path: Path) -> None:
    root = copy_project(WEBAPP, tmp_path)
    reference = sorted(flake8(root, "--pickle-cache-dir", str(tmp_path / "cache"), ".").stdout.splitlines())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    proc = flake8(root, "--pickle-cache-dir", str(blocker / "cache"), ".")
    assert sorted(proc.stdout.splitlines()) == reference
    assert not (root / ".flake8_pickle_cache").exists()


def test_read_only_cache_is_read_and_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache that cannot be written (read-only mount, full disk): entries are still read,
    and summaries of changed files are kept in memory for the run."""
    from flake8_pickle.project import index as index_module
    from flake8_pickle.project import store
    from flake8_pickle.settings import Settings

    root = copy_project(WEBAPP, tmp_path)
    cache = tmp_path / "cache"
    warm = index_module.build(root, Settings(), cache)
    before = sorted(p.name for p in cache.rglob("*.json"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr(store.os, "replace", refuse)
    (root / "webapp" / "transport.py").write_text("def read_body():\n    return b''\n", encoding="utf-8")
    cold = index_module.build(root, Settings(), cache)
    assert sorted(p.name for p in cache.rglob("*.json")) == before  # nothing written
    assert not list(cache.rglob("*.tmp"))  # and no temporary file left behind
    assert cold.modules["webapp.transport"]["functions"]["read_body"]["returns"] == [["T", "literal"]]
    assert warm.modules["webapp.views"] == cold.modules["webapp.views"]


def test_project_root_off_analyses_each_file_alone(tmp_path: Path) -> None:
    root = copy_project(WEBAPP, tmp_path)
    codes = _codes(flake8(root, "--pickle-project-root", "off", "webapp/serializers.py"))
    assert ("webapp/serializers.py", 10, "PKL102") in codes  # the caller in views.py is not seen
    assert not (root / ".flake8_pickle_cache").exists()


def test_project_root_option_overrides_detection(tmp_path: Path) -> None:
    root = copy_project(WEBAPP, tmp_path)
    (root / "pyproject.toml").unlink()  # no marker: the tmp directory is no project
    assert ("webapp/serializers.py", 10, "PKL102") in _codes(flake8(root, "webapp/serializers.py"))
    codes = _codes(flake8(root, "--pickle-project-root", str(root), "webapp/serializers.py"))
    assert ("webapp/serializers.py", 10, "PKL101") in codes


@pytest.mark.parametrize(
    "args, says",
    [
        (["--pickle-project-root", "no/such/dir"], "no/such/dir' is not a directory"),
        (["--pickle-cache-dir", "pyproject.toml"], "--pickle-cache-dir: 'pyproject.toml' exists and is not a directory"),
    ],
)
def test_bad_project_options_are_rejected(tmp_path: Path, args: List[str], says: str) -> None:
    root = copy_project(WEBAPP, tmp_path)
    proc = flake8(root, *args, ".", expect_error=True)
    assert proc.returncode != 0
    assert says in proc.stderr


def test_summaries_use_stable_names(tmp_path: Path) -> None:
    """Summaries name functions and classes, never node identities: equal on every build."""
    from flake8_pickle.project.index import build
    from flake8_pickle.settings import Settings

    root = copy_project(WEBAPP, tmp_path)
    first = build(root, Settings(), tmp_path / "one").modules
    second = build(root, Settings(), tmp_path / "two").modules
    assert first == second
    assert "PickleSerializer.loads" in first["webapp.serializers"]["functions"]
    assert first["webapp"]["aliases"]["PickleSerializer"] == ["webapp.serializers.PickleSerializer"]
    assert first["webapp.service"]["uses"]["webapp.models.Connection"] == ["deepcopy", "pickle", "spawn"]


# ---------------------------------------------------------------------- executed claims
_RAISES = re.compile(r"#\s*raises:\s*(?P<exc>[A-Za-z_][A-Za-z0-9_.]*)(?:\s+\"(?P<text>[^\"]*)\")?")
_RUNNER = """
import importlib, sys
root, module, function = sys.argv[1:4]
sys.path.insert(0, root)
getattr(importlib.import_module(module), function)()
"""


def _claims() -> List[Tuple[Path, str, str, Optional[str], Optional[str]]]:
    claims = []
    for project in PROJECT_DIRS:
        for path in sorted(project.rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            module = ".".join(path.relative_to(project).with_suffix("").parts)
            for node in ast.parse(source).body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith(("crash_", "clean_")):
                    match = _RAISES.search(lines[node.lineno - 1])
                    exc, text = (match.group("exc"), match.group("text")) if match else (None, None)
                    claims.append((project, module, node.name, exc, text))
    return claims


@pytest.mark.parametrize("project, module, function, exc, text", _claims(), ids=lambda v: getattr(v, "name", v))
def test_cross_module_runtime_claims(project: Path, module: str, function: str, exc: Optional[str], text: Optional[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(project), module, function],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    if function.startswith("clean_"):
        assert proc.returncode == 0, proc.stderr
        return
    assert proc.returncode != 0, f"{module}.{function} did not raise"
    last = proc.stderr.strip().splitlines()[-1]
    assert exc is not None and last.startswith(exc), last
    assert text is None or text in last, last


def test_every_cross_module_pkl2_and_pkl3_file_is_executed() -> None:
    """A project file that expects PKL2xx/PKL3xx findings carries crash_ and clean_ functions,
    or its classes are exercised by one that does (the file that copies them)."""
    executed = {(project, module) for project, module, *_ in _claims()}
    for project in PROJECT_DIRS:
        for path in sorted(project.rglob("*.py")):
            codes = {code for entries in parse_expectations(path).values() for code, *_ in entries}
            if not any(code.startswith(("PKL2", "PKL3")) for code in codes):
                continue
            module = ".".join(path.relative_to(project).with_suffix("").parts)
            importers = [m for p, m in executed if p == project and _imports(project, m, module)]
            assert (project, module) in executed or importers, f"{path}: no executed claim covers it"


def _imports(project: Path, importer: str, module: str) -> bool:
    path = project / (importer.replace(".", "/") + ".py")
    return path.exists() and module in path.read_text(encoding="utf-8")


def _package(tmp_path: Path, modules: Dict[str, str], package: str = "pkg") -> Path:
    """A project (``tmp_path/proj``, rooted by a ``setup.cfg``) with the package ``package`` holding
    ``modules`` (name -> text); its root."""
    root = tmp_path / "proj"
    (root / package).mkdir(parents=True)
    (root / "setup.cfg").write_text("", encoding="utf-8")
    for name, text in modules.items():
        (root / package / f"{name}.py").write_text(text, encoding="utf-8")
    return root


def _many_modules(root: Path, count: int) -> None:
    """A project of ``count`` codec modules, each loading what a view module of its own passes in."""
    (root / "pyproject.toml").write_text("[project]\nname = 'many'\n", encoding="utf-8")
    package = root / "many"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for i in range(count):
        (package / f"codec{i}.py").write_text(
            "import pickle\n\n\ndef decode(blob):\n    return pickle.loads(blob)\n", encoding="utf-8"
        )
        (package / f"view{i}.py").write_text(
            f"import socket\n\nfrom many.codec{i} import decode\n\n\n"
            "def serve(sock: socket.socket):\n    return decode(sock.recv(4096))\n",
            encoding="utf-8",
        )


def test_a_large_project_is_summarised_in_parallel_with_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past 64 modules to summarise, the index shares the work among ``--jobs`` processes: the same
    summaries as one process, and flake8 -j2 reports what -j1 reports."""
    from flake8_pickle.project import index as index_module
    from flake8_pickle.project import store
    from flake8_pickle.settings import Settings

    root = tmp_path / "many"
    root.mkdir()
    _many_modules(root, 70)  # 70 codecs that can reach a loader: past _PARALLEL_AT
    calls: List[int] = []
    real = store._parallel

    def spy(todo, *args, **kwargs):
        calls.append(len(todo))
        return real(todo, *args, **kwargs)

    monkeypatch.setattr(store, "_parallel", spy)
    shared = index_module.build(root, Settings(), cache_dir=tmp_path / "cache-2", jobs=2)
    alone = index_module.build(root, Settings(), cache_dir=tmp_path / "cache-1", jobs=1)
    assert calls and max(calls) >= store._PARALLEL_AT
    names = [f"many.codec{i}" for i in range(70)] + [f"many.view{i}" for i in range(70)]
    assert [shared.modules[n] for n in names] == [alone.modules[n] for n in names]
    parallel = flake8(root, "-j", "2", ".")
    serial = flake8(root, "-j", "1", ".")
    assert sorted(parallel.stdout.splitlines()) == sorted(serial.stdout.splitlines())
    found = parse(serial.stdout)
    assert [found[f"many/codec{i}.py"][5][0][0] for i in range(70)] == ["PKL101"] * 70


def test_a_base_with_two_catalogued_names_is_named_the_same_in_every_run(tmp_path: Path) -> None:
    """With the standard library as the project (as in the corpus runs), ``threading.local`` is also
    ``_thread._local`` through the project's ``threading`` module. The message names the public one,
    whatever order the run's string hashing gives that set of names (it changed between runs)."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "setup.cfg").write_text("", encoding="utf-8")
    (root / "threading.py").write_text("from _thread import _local as local\n", encoding="utf-8")
    (root / "app.py").write_text(
        "import copy\nimport threading\n\n\nclass Local(threading.local):\n    pass\n\n\n"
        "def crash():\n    return copy.deepcopy(Local())\n",
        encoding="utf-8",
    )
    outputs = set()
    for seed in range(6):
        proc = subprocess.run(
            # The console script: ``python -m`` would put the project's ``threading.py`` on sys.path.
            [str(Path(sys.executable).with_name("flake8")), "--isolated", "--select", "PKL", "--pickle-cache-dir", str(tmp_path / f"c{seed}"), "app.py"],
            cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": str(seed)},
        )
        outputs.add(proc.stdout)
    assert len(outputs) == 1, outputs
    (only,) = outputs
    assert "holds threading.local in base class of Local" in only and "_thread" not in only, only


def test_the_built_index_is_frozen_out_of_the_garbage_collector(tmp_path: Path) -> None:
    """Once built (before flake8 forks its workers), the index's objects are moved to the collector's
    permanent generation, so flake8's full collections stop walking them; with the index off,
    nothing is frozen."""
    import gc

    from flake8_pickle.project.runner import Project
    from flake8_pickle.settings import Settings

    root = copy_project(WEBAPP, tmp_path)
    gc.unfreeze()
    try:
        Project(Settings(project_root="off"), 1).prepare([str(root / "webapp" / "views.py")])
        assert gc.get_freeze_count() == 0
        project = Project(Settings(cache_dir=str(tmp_path / "cache")), 1)
        project.prepare([str(root / "webapp" / "views.py")])
        assert project.index_for(root / "webapp" / "views.py", is_file=True) is not None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("project", PROJECT_DIRS, ids=lambda p: p.name)
def test_a_light_summary_is_the_whole_one_without_returns_and_calls(project: Path) -> None:
    """What other modules copy and what classes hold are read from light summaries (no provenance
    walk, about a third of the cost): for every module of the fixture projects they say what the
    whole summary says, returns, calls and stores into other modules aside."""
    from flake8_pickle.project.layout import module_name, python_files
    from flake8_pickle.project.summary import LIGHT, summarise
    from flake8_pickle.settings import Settings

    compared = 0
    for path in python_files(project):
        named = module_name(project, path)
        assert named is not None
        source = path.read_bytes()
        relative = path.relative_to(project).as_posix()
        whole = summarise(ast.parse(source), named[0], relative, named[1], Settings())
        light = summarise(ast.parse(source), named[0], relative, named[1], Settings(), LIGHT)
        for entry in whole["functions"].values():
            entry.pop("returns", None)
        assert light == {**whole, "calls": [], "stores": []}, relative
        compared += 1
    assert compared > 5


def test_a_warm_build_reads_the_text_facts_and_rescans_only_changed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Which modules can copy or name a loader module is kept by content hash: a warm build over
    an unchanged tree runs the text pre-check on no file, a changed file is scanned again (its old
    entry dropped), and a corrupt table is rebuilt with the same answers."""
    from flake8_pickle.project import index as index_module
    from flake8_pickle.project import store
    from flake8_pickle.settings import Settings

    root = copy_project(WEBAPP, tmp_path)
    cache = tmp_path / "cache"
    cold = index_module.build(root, Settings(), cache)
    answers = (cold.modules.copy_candidates(), cold.modules.loader_candidates())
    assert answers[0] and answers[1]
    (table,) = cache.rglob("text-*.json")
    keys = set(json.loads(table.read_text(encoding="utf-8"))["files"])
    assert len(keys) == len(cold.modules)

    scanned: List[str] = []
    real_possible = store.possible
    monkeypatch.setattr(store, "possible", lambda source, catalog: scanned.append(source) or real_possible(source, catalog))
    warm = index_module.build(root, Settings(), cache)
    assert (warm.modules.copy_candidates(), warm.modules.loader_candidates()) == answers
    assert scanned == []

    assert "webapp.compat" not in answers[0]
    changed = root / "webapp" / "compat.py"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nimport copy\nCOPY = copy.deepcopy({})\n", encoding="utf-8")
    after = index_module.build(root, Settings(), cache)
    assert len(scanned) == 1 and "COPY = copy.deepcopy" in scanned[0]
    assert "webapp.compat" in after.modules.copy_candidates()
    now = set(json.loads(table.read_text(encoding="utf-8"))["files"])
    assert len(now) == len(keys) and len(now - keys) == 1  # the old content's entry is gone

    table.write_bytes(b"\x00 not json")
    rebuilt = index_module.build(root, Settings(), cache)
    assert rebuilt.modules.copy_candidates() == after.modules.copy_candidates()
    assert rebuilt.modules.loader_candidates() == after.modules.loader_candidates()
    assert json.loads(table.read_text(encoding="utf-8"))["files"]


def test_summarising_pauses_the_garbage_collector_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A summary is computed with the cyclic collector paused, as linting is (each collection its
    allocations would trigger rescans every summary already built), and the collector is on again
    after, also when the summary fails."""
    import gc

    from flake8_pickle.project import store
    from flake8_pickle.settings import Settings

    seen: List[bool] = []
    real = store.summarise

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "summarise", spy)
    job = store.FileJob("m.py", "m.py", "m", False)
    assert gc.isenabled()
    summary = store.summarise_source(b"import pickle\nloads = pickle.loads\n", job, Settings())
    assert summary["aliases"]["loads"] == ["pickle.loads"] and seen == [False] and gc.isenabled()

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(store, "summarise", broken)
    with pytest.raises(RuntimeError):
        store.summarise_source(b"x = 1\n", job, Settings())
    assert gc.isenabled()


def test_an_alias_is_looked_up_only_in_a_module_that_spells_its_name(tmp_path: Path) -> None:
    """``from pkg import sub`` names the submodule when ``pkg/__init__.py`` never spells ``sub``:
    no head of ``pkg`` is parsed to say so. A module that binds the name is read as before."""
    from flake8_pickle.project import index as index_module
    from flake8_pickle.project.summary import HEAD
    from flake8_pickle.settings import Settings

    root = _package(tmp_path, {
        "__init__": "from .codec import decode as load_it\n",
        "sub": "VALUE = 1\n",
        "codec": "import pickle\ndecode = pickle.loads\n",
    })
    index = index_module.build(root, Settings(), tmp_path / "cache")
    heads = index.modules._stores[HEAD]
    assert index.aliases("pkg.sub") is None and "pkg" not in heads
    assert index.aliases("pkg.load_it") == frozenset({"pkg.codec.decode", "pickle.loads"}) and "pkg" in heads


def test_one_cross_module_pkl101_per_sink_when_the_caller_names_what_it_read(tmp_path: Path) -> None:
    """``body = request.get_data(); decode_blob(body)`` in one module, ``pickle.loads`` in another:
    one PKL101 at the sink, naming the read and its line (the variable it was bound to is not a
    second source)."""
    root = tmp_path / "svc"
    (root / "svc").mkdir(parents=True)
    (root / "setup.cfg").write_text("", encoding="utf-8")
    (root / "svc" / "__init__.py").write_text("", encoding="utf-8")
    (root / "svc" / "codec.py").write_text(
        "import pickle\n\n\ndef decode_blob(blob):\n    return pickle.loads(blob)\n", encoding="utf-8"
    )
    (root / "svc" / "views.py").write_text(
        "from flask import request\n\nfrom svc.codec import decode_blob\n\n\n"
        "def upload():\n    body = request.get_data()\n    return decode_blob(body)\n",
        encoding="utf-8",
    )
    lines = flake8(root, ".").stdout.splitlines()
    assert [line for line in lines if "PKL101" in line] == [
        "./svc/codec.py:5:12:PKL101 untrusted data from request.get_data() in svc/views.py (line 7) reaches "
        "pickle.loads (line 5) via svc.codec.decode_blob() called at svc/views.py:8"
    ], lines


def test_entries_written_by_other_plugin_code_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache is keyed by a hash of the plugin's own source as well as its version: after a
    ``git pull`` into an editable install (same version number, other code), nothing of the old
    code's summaries is read."""
    from flake8_pickle.project import index as index_module
    from flake8_pickle.project import store
    from flake8_pickle.settings import Settings

    root = copy_project(WEBAPP, tmp_path)
    cache = tmp_path / "cache"
    index_module.build(root, Settings(), cache)
    summarised: List[str] = []
    real = store.summarise_source
    monkeypatch.setattr(store, "summarise_source", lambda content, job, *rest: summarised.append(job.module) or real(content, job, *rest))
    index_module.build(root, Settings(), cache)
    assert summarised == []  # the same code reads its entries
    monkeypatch.setattr(store, "code_digest", lambda: "other-code")
    rebuilt = index_module.build(root, Settings(), cache)
    assert summarised and set(summarised) >= set(rebuilt.modules.copy_candidates())
    assert len([p for p in cache.iterdir() if p.is_dir() and p.name.startswith("s")]) == 2


def test_a_file_linted_as_it_is_on_disk_reuses_the_indexed_text_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index already ran the text pre-check on every file: linting a file whose text is the one
    on disk reads that answer (no second scan), and gets the same findings; an unsaved text that
    differs is scanned anew."""
    from flake8_pickle import analysis
    from flake8_pickle.project import index as index_module
    from flake8_pickle.settings import Settings

    root = copy_project(WEBAPP, tmp_path)
    index = index_module.build(root, Settings(), tmp_path / "cache")
    path = root / "webapp" / "views.py"
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    with monkeypatch.context() as scope:
        scope.setattr(index.modules, "possible_for", lambda module, text: None)  # scanned as without the index's answer
        expected = analysis.run_analysis(tree, Settings(), inventory=False, source=source, project=index.view(("webapp.views", False), tree)).findings
    assert expected

    scanned: List[str] = []
    real = analysis.possible
    monkeypatch.setattr(analysis, "possible", lambda text, catalog: scanned.append(text) or real(text, catalog))
    again = analysis.run_analysis(tree, Settings(), inventory=False, source=source, project=index.view(("webapp.views", False), tree))
    assert again.findings == expected and scanned == []

    unsaved = source + "\n# edited, not saved\n"
    analysis.run_analysis(ast.parse(unsaved), Settings(), inventory=False, source=unsaved, project=index.view(("webapp.views", False), ast.parse(unsaved)))
    assert scanned == [unsaved]


def test_the_word_index_answers_as_the_scans_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once enough words were asked, the modules' words are indexed; every answer is the one a
    scan of the text gives (whole identifiers, in code, comments and strings; ``2get`` and
    ``get_many`` do not spell ``get``, ``café`` spells ``caf``)."""
    from flake8_pickle.precheck import spells_word
    from flake8_pickle.project import index as index_module
    from flake8_pickle.project import store
    from flake8_pickle.settings import Settings

    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "setup.cfg").write_text("", encoding="utf-8")
    texts = {
        "pkg/__init__.py": "",
        "pkg/a.py": "def get(x):\n    return x  # get it\n",
        "pkg/b.py": "value = 2get_many + getter\ncafé = 'get'\n",
        "pkg/c.py": "from pkg.a import get\nclass Base: pass\n",
    }
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    words = ["get", "get_many", "getter", "Base", "caf", "é", "a.get", "missing", "2get", "pkg"]
    scanned = index_module.build(root, Settings(), tmp_path / "c1").modules
    expected = {word: scanned.mentioning(word) for word in words}
    assert scanned._word_index is None  # a few words: scanned one by one
    monkeypatch.setattr(store, "_SCANS_BEFORE_INDEX", 0)
    indexed = index_module.build(root, Settings(), tmp_path / "c2").modules
    assert {word: indexed.mentioning(word) for word in words} == expected
    assert indexed._word_index is not None
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        for word in words:
            text = texts[module.replace(".", "/") + ("/__init__.py" if module == "pkg" else ".py")]
            assert indexed.spells(module, word) == spells_word(text.encode(), word.encode()), (module, word)
    assert expected["get"] == ["pkg.a", "pkg.b", "pkg.c"] and expected["get_many"] == []


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_functions_that_bind_a_global_are_found_through_the_lines_that_spell_it() -> None:
    """The head walks the bodies that bind a global; the lines that spell ``global`` lead to them
    (nested functions, handlers, ``case`` blocks, one-line bodies), the same as a walk of all."""
    from flake8_pickle.precheck import lines_spelling
    from flake8_pickle.project.summary import _functions_with_global

    source = (
        b"def outer():\n"
        b"    def inner():\n"
        b"        try:\n"
        b"            pass\n"
        b"        except OSError:\n"
        b"            global CACHE\n"
        b"    return inner\n"
        b"def one(): global X; X = 1\n"
        b"def text():\n"
        b"    return 'global state, globally'\n"
        b"def matched(v):\n"
        b"    match v:\n"
        b"        case 1:\n"
        b"            global Y\n"
    )
    tree = ast.parse(source)
    lines = lines_spelling(source, ("global",))
    assert lines == [6, 8, 10, 14]
    expected = sorted(f.name for f in _functions_with_global(tree))
    assert expected == ["inner", "matched", "one", "outer"]
    assert sorted(f.name for f in _functions_with_global(tree, lines)) == expected
    # Lines end where the tokenizer ends them, a lone carriage return included.
    old_mac = b"x = 1\rdef f():\r    global X\r    X = 2\r"
    assert lines_spelling(old_mac, ("global",)) == [3]
    assert [f.name for f in _functions_with_global(ast.parse(old_mac), [3])] == ["f"]


def test_a_run_over_the_same_tree_reads_the_project_answers_of_the_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a run answered about the whole project (which modules spell a word, which words reach a
    loader through the project's aliases) is written when it ends, keyed by the fingerprint of every
    module's name, path and content. The next run over the same tree reads it and scans no text for
    those answers; a changed file, or a damaged file of answers, means they are worked out anew."""
    from flake8_pickle.analysis import catalog_for
    from flake8_pickle.project import index as index_module
    from flake8_pickle.project import store
    from flake8_pickle.settings import Settings

    root = copy_project(WEBAPP, tmp_path)
    cache = tmp_path / "cache"
    is_loader = catalog_for(Settings()).reaches_loader
    cold = index_module.build(root, Settings(), cache)
    words = cold.loader_words(is_loader)
    assert words  # the webapp reaches pickle through its own serializer module
    spelled = {word: cold.modules.mentioning(word) for word in ("loads", "handle", "no_such_word_anywhere")}
    cold.save_answers()
    (table,) = cache.rglob("answers-*.json")

    scans: List[bytes] = []
    real = store.spells_word
    monkeypatch.setattr(store, "spells_word", lambda content, needle: scans.append(needle) or real(content, needle))
    warm = index_module.build(root, Settings(), cache)
    assert warm.loader_words(is_loader) == words
    assert {word: warm.modules.mentioning(word) for word in spelled} == spelled
    assert scans == []
    assert warm.modules.mentioning("handler_for") == cold.modules.mentioning("handler_for")  # asked anew
    assert scans

    # A changed file changes the fingerprint: nothing is taken over, the answers are the new tree's.
    changed = root / "webapp" / "compat.py"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# handle\n", encoding="utf-8")
    after = index_module.build(root, Settings(), cache)
    assert after.modules.answers == {}
    assert "webapp.compat" in after.modules.mentioning("handle")
    assert after.loader_words(is_loader) == words

    # Damaged answers are ignored (and replaced by the next run's).
    table.write_bytes(b"\x00 not json")
    damaged = index_module.build(root, Settings(), cache)
    assert damaged.modules.answers == {}
    assert damaged.loader_words(is_loader) == words
    damaged.save_answers()
    saved = json.loads(table.read_text(encoding="utf-8"))["answers"]["loader_words"]
    assert saved == {"imports": sorted(words.imports), "names": sorted(words.names)}


def test_flake8_writes_the_project_answers_when_it_ends_and_reports_the_same_next_time(tmp_path: Path) -> None:
    root = copy_project(WEBAPP, tmp_path)
    cache = tmp_path / "cache"
    first = flake8(root, "-j1", f"--pickle-cache-dir={cache}", ".")
    assert list(cache.rglob("answers-*.json"))
    second = flake8(root, "-j1", f"--pickle-cache-dir={cache}", ".")
    assert first.stdout == second.stdout and first.stdout


def test_the_names_that_reach_a_loader_are_worked_out_before_flake8_forks(tmp_path: Path) -> None:
    """``prepare`` (flake8's main process, before its workers) answers the question every linted
    module asks, so that the workers inherit the answer instead of each working it out."""
    from flake8_pickle.project.runner import Project
    from flake8_pickle.settings import Settings

    root = copy_project(WEBAPP, tmp_path)
    project = Project(Settings(cache_dir=str(tmp_path / "cache")), jobs=2)
    project.prepare([str(root / "webapp" / "views.py")])
    index = project.index_for(root / "webapp" / "views.py", is_file=True)
    assert index is not None and index._loader_words

    # One process (-j1, an editor) asks it only when a linted module needs it.
    alone = Project(Settings(cache_dir=str(tmp_path / "cache-alone")))
    alone.prepare([str(root / "webapp" / "views.py")])
    lazy = alone.index_for(root / "webapp" / "views.py", is_file=True)
    assert lazy is not None and lazy._loader_words is None


def test_loader_words_read_only_modules_that_can_bind_a_loader_and_follow_chains(tmp_path: Path) -> None:
    """A module naming ``numpy`` but never a numpy loader (``load``) binds none in one step: its head
    is not read for the loader words. A chain through such a module, or through a module read before
    the step it depends on was found, is still followed to the end, as with a class's referrers."""
    from flake8_pickle.analysis import catalog_for
    from flake8_pickle.project import index as index_module
    from flake8_pickle.project.summary import HEAD
    from flake8_pickle.settings import Settings

    root = _package(tmp_path, {
        "__init__": "",
        "arrays": "import numpy as np\nZEROS = np.zeros(3)\n",
        # ``a_first`` is read before ``codec`` (alphabetically) and reaches the loader through it.
        "a_first": "import numpy as np\nfrom .codec import decode as restore\n",
        "codec": "import pickle\ndecode = pickle.loads\n",
        "relay": "from .a_first import restore as thaw\n",
        "models": "class Job:\n    pass\n",
        "compat": "from .models import Job as Task\n",
        "jobs": "from .compat import Task\n\n\nclass Retried(Task):\n    pass\n",
    })
    settings = Settings()
    index = index_module.build(root, settings, tmp_path / "cache")
    assert "pkg.arrays" not in index.modules.loader_candidates()
    words = index.loader_words(catalog_for(settings).reaches_loader)
    assert {"decode", "restore", "thaw"} <= words.imports and {"decode", "restore", "thaw"} <= words.names
    assert "pkg.arrays" not in index.modules._stores[HEAD]
    assert index._descendants("pkg.models.Job") == ["pkg.jobs.Retried"]


def test_findings_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """The same tree gives the same lines, message for message, whatever ``PYTHONHASHSEED`` is
    (a baseline or a review diff keyed on messages must not churn between runs)."""
    root = copy_project(WEBAPP, tmp_path)
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        shutil.rmtree(root / ".flake8_pickle_cache", ignore_errors=True)
        proc = subprocess.run(
            [sys.executable, "-m", "flake8", "--isolated", "--select", "PKL", "-j", "1", "."],
            cwd=root, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert proc.returncode == 1, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1


_SUMMARISE = """\
import json, sys
from flake8_pickle.project.store import FileJob, summarise_source
from flake8_pickle.settings import Settings
path = sys.argv[1]
with open(path, "rb") as handle:
    print(json.dumps(summarise_source(handle.read(), FileJob(path, "big.py", "big", False), Settings()), sort_keys=True))
"""


def test_a_summary_past_its_budgets_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    """A module whose returns expand past the summary's budgets (each helper returning another
    module's call on other helpers' results) summarises the same in every process: the budget is
    spent in an order that never follows set iteration (string hashes, node identities). Before,
    which calls got written out before the budget ran dry changed from run to run, and with it the
    cache entry that ``-j`` workers and later runs read."""
    helpers = 120
    lines = ["import external", ""]
    for i in range(helpers):
        lines += [f"def h{i}(a, b):", f"    return external.f{i}(a, h{(i + 1) % helpers}(b, a) if a else h{(i + 7) % helpers}(a, b))"]
    lines += ["def top(x, y):", "    return " + " + ".join(f"h{i}(x, y)" for i in range(helpers))]
    (tmp_path / "big.py").write_text("\n".join(lines) + "\n")
    outputs = set()
    for seed in ("1", "2", "3"):
        proc = subprocess.run(
            [sys.executable, "-c", _SUMMARISE, str(tmp_path / "big.py")],
            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(proc.stdout)
    assert len(outputs) == 1
    summary = json.loads(outputs.pop())
    assert ["U"] in summary["functions"]["top"]["returns"], "the budget was not reached: the test shows nothing"


def test_a_module_walks_for_project_loaders_only_when_it_imports_and_spells_a_name_that_reaches_one(tmp_path: Path) -> None:
    """A module is walked for loaders reached through the project's own names only when an import
    spells the name or its module's, and the module spells the name itself (every use does). The
    module's word alone (``utils``, the module of Django's ``load_backend``) made every module
    importing anything from a ``utils`` walk; a module that calls the name is still walked, and
    its loader is reported."""
    from flake8_pickle.analysis import catalog_for
    from flake8_pickle.project import index as index_module
    from flake8_pickle.settings import Settings

    root = _package(tmp_path, {
        "__init__": "",
        "utils": (
            "from importlib import import_module\n\n\ndef load_backend(name):\n    return import_module(name)\n\n\n"
            "def slugify(text):\n    return text.lower()\n"
        ),
        "codec": "import pickle\ndecode = pickle.loads\n",
        "plain": "from .utils import slugify\nfrom . import codec as codec_module\n\n\ndef title(text):\n    return slugify(text)\n",
        "backend": "from . import utils\n\n\ndef read(request):\n    return utils.load_backend('pickle').loads(request.body)\n",
        "views": "from .codec import decode\n\n\ndef view(request):\n    return decode(request.body)\n",
    })
    settings = Settings()
    index = index_module.build(root, settings, tmp_path / "cache")
    words = index.loader_words(catalog_for(settings).reaches_loader)
    assert words.names == {"decode", "load_backend"}
    text = {name: (root / "pkg" / f"{name}.py").read_text(encoding="utf-8") for name in ("plain", "backend", "views")}
    assert not words.used_in(text["plain"])  # imports ``utils`` and ``codec``, spells neither name
    assert words.used_in(text["backend"]) and words.used_in(text["views"])
    found = flake8(root, "-j1", f"--pickle-cache-dir={tmp_path / 'cache2'}", "pkg").stdout
    assert "backend.py:5:" in found and "views.py:5:" in found and "plain.py" not in found


def test_a_sender_reached_by_an_operator_needs_no_name_spelled() -> None:
    """A project function that pickles its parameter is reached by a call that spells its name,
    except a dunder method, run by an operator (``CACHE[key] = obj``): then an import is enough."""
    from flake8_pickle.precheck import ReachWords

    named = ReachWords(frozenset({"CACHE"}), ReachWords.called(["remember"]))
    operator = ReachWords(frozenset({"CACHE"}), ReachWords.called(["remember", "__setitem__"]))
    source = "from .cache import CACHE\n\n\ndef keep(key, obj):\n    CACHE[key] = obj\n"
    assert not named.used_in(source)
    assert operator.used_in(source)
    assert named.used_in(source + "\n\ndef also(obj):\n    CACHE.remember(obj)\n")


def test_a_catalogued_loader_of_the_linted_project_itself_is_reached_through_a_relative_import(tmp_path: Path) -> None:
    """Linting rq itself: ``from .serializers import resolve_serializer`` binds the catalogued
    ``rq.serializers.resolve_serializer``, whose ``.loads`` is pickle's. The text check sees no loader
    module in a relative import; the project's loader words name it (the corpus run lost rq's
    ``results.py`` load when only the names of project aliases counted)."""
    root = _package(tmp_path, {
        "__init__": "",
        "serializers": "import pickle\n\n\ndef resolve_serializer(serializer=None):\n    return serializer or pickle\n",
        "results": (
            "from .serializers import resolve_serializer\n\n\ndef restore(payload, serializer=None):\n"
            "    return resolve_serializer(serializer).loads(payload)\n"
        ),
    }, package="rq")
    found = flake8(root, "-j1", f"--pickle-cache-dir={tmp_path / 'cache'}", "rq").stdout
    assert "rq/results.py:5:12:PKL102 rq.serializers.resolve_serializer.loads" in found
