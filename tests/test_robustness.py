"""The plugin never crashes on code that parses, never imports what it checks,
and turns an internal error into flake8's clean plugin failure."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import textwrap
import warnings
from contextlib import redirect_stdout
from pathlib import Path
from typing import List, Tuple

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, seed, settings

from flake8_pickle import plugin as plugin_module
from flake8_pickle.analysis import analyze

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _analyze_source(source: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # generated code is full of SyntaxWarnings
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return  # not a module flake8 would hand us
    analyze(tree)


@pytest.mark.robustness
@seed(20261125)
@FUZZ
@given(hypothesmith.from_grammar())
def test_fuzz_grammar_generated_modules(source: str) -> None:
    _analyze_source(source)


@pytest.mark.robustness
@seed(20261125)
@settings(FUZZ, max_examples=40)  # libcst-generated modules are slow to make
@given(hypothesmith.from_node())
def test_fuzz_libcst_generated_modules(source: str) -> None:
    _analyze_source(source)


def _wide_module(copies: int) -> str:
    unit = textwrap.dedent(
        """
        import pickle as p{i}
        try:
            import cPickle as q{i}
        except ImportError:
            import pickle as q{i}


        class C{i}(p{i}.Unpickler):
            attr = p{i}

            def m(self, blob, *args, **kwargs):
                f = self.attr.loads
                if blob:
                    return f(blob), [q{i}.loads(b) for b in args]
                return p{i}.loads(p{i}.dumps(blob))
        """
    )
    return "".join(unit.format(i=i) for i in range(copies))


@pytest.mark.robustness
def test_long_module_finishes_and_finds_every_loader() -> None:
    source = _wide_module(6250)  # 100,000 lines
    findings = analyze(ast.parse(source))
    assert len([f for f in findings if f.code == "PKL102"]) == 2 * 6250


def _check_stdlib_files(paths: List[Path]) -> Tuple[int, List[str]]:
    """Analyse each file that parses, with and without the text pre-check: (analysed, failures)."""
    from importlib.util import decode_source

    analysed = 0
    failures = []
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                data = path.read_bytes()
                tree = ast.parse(data)
                source = decode_source(data)
            except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError):
                continue
        try:
            full = analyze(tree, inventory=False)
            prechecked = analyze(tree, inventory=False, source=source)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            failures.append(f"{path}: {exc!r}")
        else:
            if full != prechecked:
                failures.append(f"{path}: the pre-check changed {sorted(set(full) ^ set(prechecked))}")
        analysed += 1
    return analysed, failures


#: The standard library is checked in this many shards, so that pytest-xdist can run them side by side.
_STDLIB_SHARDS = 6


@pytest.mark.robustness
@pytest.mark.parametrize("shard", range(_STDLIB_SHARDS))
def test_whole_standard_library_without_plugin_failure(shard: int) -> None:
    """Every module of the running interpreter's standard library that parses is analysed cleanly,
    and the text pre-check (as flake8 runs it, with the source) changes none of its findings.
    One shard of the files per test; without xdist a shard is shared out over the CPUs (forked
    workers, as ``flake8 -j`` does)."""
    import multiprocessing
    import os
    import sysconfig
    from concurrent.futures import ProcessPoolExecutor

    root = Path(sysconfig.get_paths()["stdlib"])
    paths = [p for p in sorted(root.rglob("*.py")) if "site-packages" not in p.parts][shard::_STDLIB_SHARDS]
    # Under pytest-xdist the CPUs are already shared out between test workers.
    workers = 1 if os.environ.get("PYTEST_XDIST_WORKER") else max(1, min(os.cpu_count() or 1, 8))
    shares = [paths[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_check_stdlib_files, shares))
    analysed = sum(count for count, _ in results)
    failures = [failure for _, share in results for failure in share]
    # A standard library without its test suite (Debian's python3.11) has about 670 files; with it, 2,000.
    assert len(paths) > 600 // _STDLIB_SHARDS
    assert analysed >= 0.9 * len(paths)  # the few that do not parse are deliberate syntax errors
    assert failures == []


def test_class_with_thousands_of_attributes() -> None:
    body = "\n".join(f"    a{i} = pickle.loads(x{i})" for i in range(5000))
    source = f"import pickle\nclass Big:\n{body}\n"
    findings = analyze(ast.parse(source))
    assert len([f for f in findings if f.code == "PKL102"]) == 5000


def test_mutually_recursive_helpers() -> None:
    source = "import pickle\n" + "".join(
        f"def h{i}(x):\n    return h{(i + 1) % 500}(pickle.loads(x))\n" for i in range(500)
    )
    findings = analyze(ast.parse(source))
    assert len([f for f in findings if f.code == "PKL102"]) == 500


def test_deepest_indentation_the_parser_allows() -> None:
    depth = 99
    lines = ["import pickle"]
    for level in range(depth):
        lines.append("    " * level + f"def f{level}(x):" if level % 2 else "    " * level + f"if x{level}:")
    lines.append("    " * depth + "pickle.loads(x)")
    source = "\n".join(lines) + "\n"
    tree = ast.parse(source)
    assert [f.code for f in analyze(tree)].count("PKL102") == 1


def _run_flake8_in_process(args: list[str]) -> str:
    from flake8.main import application

    app = application.Application()
    out = io.StringIO()
    with redirect_stdout(out):
        app.run(args)
    return out.getvalue()


def test_internal_error_becomes_flake8_plugin_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "victim.py"
    target.write_text("import pickle\npickle.loads(x)\n")

    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(plugin_module, "analyze", explode)
    output = _run_flake8_in_process(["--isolated", "--select", "PKL", "--jobs", "1", str(target)])
    assert "victim.py" in output
    assert "flake8-pickle[PKL]" in output and "RecursionError" in output
    assert "Traceback" not in output


def test_checked_code_is_never_imported_or_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    victim = tmp_path / "victim.py"
    victim.write_text(
        f"open({str(marker)!r}, 'w').write('x')\n"
        "import pickle\n"
        "pickle.loads(__import__('os').urandom(4))\n"
    )
    check = (
        "import sys\n"
        "from flake8.main import cli\n"
        "code = cli.main(['--isolated', '--select', 'PKL', '--jobs', '1', sys.argv[1]])\n"
        "assert 'libcst' not in sys.modules, 'libcst imported on a flake8 run'\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", check, str(victim)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "PKL102" in proc.stdout
    assert not marker.exists()
