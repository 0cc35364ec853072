"""Benchmark flake8-pickle against pyflakes, flake8 itself and the peer tools, on the same files.

Usage:
    python benchmarks/run.py [--corpus stdlib,django,...] [--repeat N] [--scaling-repeat N] [--quick]
                             [--skip-flake8-overhead] [--skip-peers] [--skip-scaling] [--dlint-all]
                             [--markdown] [--json FILE] [--profile]

One run measures, on one set of files:

1. AST plugins on the same parsed trees: every file is parsed once with ``ast.parse``;
   then our ``analyze(tree)``, our flake8 entry point ``PicklePlugin(tree, filename, lines).run()``,
   pyflakes' ``Checker`` and flake8-bugbear's ``BugBearChecker`` (when installed) each
   run over the whole corpus, N times, interleaved; the minimum of the N is reported,
   with ours as a ratio to pyflakes (wall and CPU time).
2. flake8 overhead: a default ``flake8 -j1 --isolated`` over the files in a venv with
   only flake8 and its three default plugins, and in a second venv that also has
   flake8-pickle (this checkout, installed editable); minimum of N each, interleaved.
3. Peers: bandit (B301, B302, B403), ruff (S301, S302, S403) and dlint (its flake8
   checker class over the parsed trees) next to the findings each reports.
4. Scaling: generated modules of 1x, 4x, 16x and 64x a unit size in several shapes;
   time(kx) / (k * time(1x)) near 1 means linear.

See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import gc
import importlib.metadata as metadata
import io
import json
import os
import platform
import pstats
import re
import resource
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import tokenize
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"

# Measure the checkout this script lives in, not whatever copy happens to be installed.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_CORPORA = ("stdlib",)
# Wheels the script knows by name; any other PyPI project name (or "name==version") works too.
KNOWN_WHEELS = (
    "django", "celery", "kombu", "dask", "distributed", "joblib", "ray", "flask", "requests",
)
# flake8 and the plugins it ships with: pinned in both venvs to the versions running this script.
FLAKE8_CORE = ("flake8", "pyflakes", "pycodestyle", "mccabe")
# Directories of the standard library that hold its own test suites.
STDLIB_TEST_DIRS = {"test", "tests", "idle_test"}
QUICK_FILES_PER_CORPUS = 60


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def dist_version(name: str) -> Optional[str]:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------- corpora


@dataclass
class SourceFile:
    corpus: str
    path: str
    tree: Optional[ast.AST]  # dropped (None) once the in-process timings are done
    lines: List[str]
    n_lines: int


@dataclass
class Corpus:
    name: str
    root: Path
    version: str
    paths: List[Path]
    files: List[SourceFile] = field(default_factory=list)
    skipped: List[Tuple[str, str]] = field(default_factory=list)

    @property
    def n_lines(self) -> int:
        return sum(f.n_lines for f in self.files)


def _walk_py(root: Path, skip_dirs: Callable[[Path, str], bool]) -> List[Path]:
    found: List[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not skip_dirs(here, d))
        found.extend(here / f for f in sorted(filenames) if f.endswith(".py"))
    return found


def stdlib_paths(tests: bool) -> Tuple[Path, List[Path]]:
    """The installed standard library: the library itself, or only its test suites."""
    root = Path(sysconfig.get_paths()["stdlib"])

    if not tests:
        skip_always = {"site-packages", "dist-packages", "__pycache__"}
        return root, _walk_py(root, lambda parent, name: name in skip_always or name in STDLIB_TEST_DIRS)
    # Only the test suites: every directory named test/tests/idle_test, whole.
    found: List[Path] = []
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("site-packages", "dist-packages", "__pycache__"))
        for name in list(dirnames):
            if name in STDLIB_TEST_DIRS:
                found.extend(_walk_py(Path(dirpath) / name, lambda p, n: n == "__pycache__"))
                dirnames.remove(name)
    return root, sorted(found)


def wheel_corpus(spec: str) -> Tuple[Path, str, List[Path]]:
    """Download one wheel with pip (cached) and unpack its .py files into .cache/corpora/<name>/."""
    name = re.split(r"[<>=!~\[ ]", spec, maxsplit=1)[0].strip()
    key = re.sub(r"[-_.]+", "-", name).lower()
    target = CACHE / "corpora" / key
    marker = target / ".benchmark-source.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("spec") == spec:
            return target, info["version"], _walk_py(target, lambda p, n: n == "__pycache__")
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    log(f"downloading wheel {spec} ...")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps",
         "--only-binary=:all:", spec, "-d", str(wheels)],
        capture_output=True, text=True,
    )
    saved = re.findall(r"(?:Saved|File was already downloaded)\s+(\S+\.whl)", proc.stdout)
    if proc.returncode != 0 or not saved:
        stem = key.replace("-", "_")
        candidates = sorted(
            (p for p in wheels.glob("*.whl") if p.name.lower().startswith(stem + "-")),
            key=lambda p: p.stat().st_mtime,
        )
        if not candidates:
            raise SystemExit(f"pip download {spec} failed:\n{proc.stdout}\n{proc.stderr}")
        log(f"pip download failed; using cached {candidates[-1].name}")
        saved = [str(candidates[-1])]
    wheel = wheels / Path(saved[-1]).name  # pip may print the path relative to its working directory
    version = wheel.name.split("-")[1]
    # Unpack beside the target and swap it in, so a concurrent reader never sees a half-written corpus.
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target.parent))
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            parts = Path(member).parts
            if not member.endswith(".py") or member.startswith("/") or ".." in parts:
                continue
            dest = staging.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(zf.read(member))
    (staging / marker.name).write_text(json.dumps({"spec": spec, "wheel": wheel.name, "version": version}))
    old = None
    if target.exists():
        old = target.with_name(f".{key}-old-{os.getpid()}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target, version, _walk_py(target, lambda p, n: n == "__pycache__")


def load_corpus(name: str) -> Corpus:
    if name == "stdlib":
        root, paths = stdlib_paths(tests=False)
        return Corpus(name, root, platform.python_version(), paths)
    if name == "stdlib-tests":
        root, paths = stdlib_paths(tests=True)
        return Corpus(name, root, platform.python_version(), paths)
    root, version, paths = wheel_corpus(name)
    return Corpus(name, root, version, paths)


def source_lines(src: bytes) -> List[str]:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(src).readline)
        return src.decode(encoding).splitlines(True)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return src.decode("latin-1").splitlines(True)


def parse_corpus(corpus: Corpus, keep_lines: bool) -> float:
    """Parse every file once; returns the seconds spent in ast.parse."""
    spent = 0.0
    for path in corpus.paths:
        try:
            src = path.read_bytes()
        except OSError as exc:
            corpus.skipped.append((str(path), f"unreadable: {exc}"))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                tree = ast.parse(src, str(path))
                spent += time.perf_counter() - start
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            corpus.skipped.append((str(path), f"{type(exc).__name__}: {exc}"))
            continue
        lines = source_lines(src) if keep_lines else []
        corpus.files.append(SourceFile(corpus.name, str(path), tree, lines, src.count(b"\n")))
    return spent


def quick_subset(paths: List[Path], n: int) -> List[Path]:
    if len(paths) <= n:
        return paths
    step = len(paths) / n
    return [paths[int(i * step)] for i in range(n)]


# --------------------------------------------------------------------------- AST plugins


@dataclass
class AstPlugin:
    name: str
    label: str
    run: Callable[[SourceFile], Any]  # returns the findings (anything with len()) or None
    count: Optional[Callable[[Any], Counter]] = None


def _plugin_classes(corpora: List[Corpus]) -> Tuple[type, Dict[str, type]]:
    """The flake8 entry point configured twice: with the project index off (each file alone), and,
    per corpus, with the corpus as its project root (its index built by the untimed warm-up and kept
    in memory, so the timed passes see a warm index: the per-file cost of the cross-module answers).

    The plugin's own default would look for a project root above each corpus, find this checkout's
    ``pyproject.toml`` and consult the index of flake8-pickle's own repository for every file (30 %
    of the plugin's time on requests): a cost no user linting those packages would pay.
    """
    from flake8_pickle.plugin import PicklePlugin
    from flake8_pickle.project.runner import Project
    from flake8_pickle.settings import PROJECT_OFF, Settings

    off = Settings(project_root=PROJECT_OFF)
    alone = type("PicklePluginAlone", (PicklePlugin,), {"settings": off, "project": Project(off)})
    per_corpus: Dict[str, type] = {}
    for corpus in corpora:
        settings = Settings(project_root=str(corpus.root), cache_dir=str(CACHE / "index" / corpus.name))
        per_corpus[corpus.name] = type(
            f"PicklePlugin_{corpus.name}", (PicklePlugin,), {"settings": settings, "project": Project(settings)}
        )
    return alone, per_corpus


def ast_plugins(corpora: List[Corpus]) -> Tuple[List[AstPlugin], Dict[str, str]]:
    """The in-process checkers, and a note for each one that is missing."""
    from flake8_pickle.analysis import analyze
    import pyflakes.checker

    alone, per_corpus = _plugin_classes(corpora)
    missing: Dict[str, str] = {}
    plugins = [
        AstPlugin(
            "ours-analyze", "flake8-pickle `analyze(tree)` (all codes incl. PKL901)",
            lambda f: analyze(f.tree),
            lambda found: Counter(x.code for x in found),
        ),
        AstPlugin(
            "ours-plugin", "flake8-pickle `PicklePlugin(tree, filename, lines).run()` (as flake8 calls it), index off",
            lambda f: list(alone(f.tree, f.path, f.lines).run()),
            lambda found: Counter(x[2].split()[0] for x in found),
        ),
        AstPlugin(
            "ours-project", "the same with the corpus as its project (warm index, kept in memory)",
            lambda f: list(per_corpus[f.corpus](f.tree, f.path, f.lines).run()),
            lambda found: Counter(x[2].split()[0] for x in found),
        ),
        AstPlugin(
            "pyflakes", "pyflakes `Checker(tree, filename=...)`",
            lambda f: pyflakes.checker.Checker(f.tree, filename=f.path).messages,
            lambda found: Counter(type(m).__name__ for m in found),
        ),
    ]
    try:
        import bugbear

        plugins.append(AstPlugin(
            "bugbear", "flake8-bugbear `BugBearChecker(tree=, filename=, lines=).run()`",
            lambda f: list(bugbear.BugBearChecker(tree=f.tree, filename=f.path, lines=f.lines).run()),
            lambda found: Counter(x[2].split()[0] for x in found),
        ))
    except ImportError:
        missing["bugbear"] = "flake8-bugbear not installed"
    return plugins, missing


DLINT_PICKLE_CODES = ("DUO103", "DUO119", "DUO120")  # pickle, shelve, marshal


def dlint_plugin(all_linters: bool) -> Optional[AstPlugin]:
    """dlint's flake8 checker class; by default with only its pickle/shelve/marshal linters selected.

    dlint builds its linter list from flake8's decision engine, so the options below are what
    ``flake8 --select DUO103,DUO119,DUO120`` hands it: the same restriction as bandit's ``-t`` and
    ruff's ``--select``. ``all_linters`` runs every DUO linter, as ``--select DUO`` would.
    """
    try:
        from dlint.extension import Flake8Extension
    except ImportError:
        return None
    select = ["DUO"] if all_linters else list(DLINT_PICKLE_CODES)
    Flake8Extension.options = argparse.Namespace(
        select=select, extend_select=[], ignore=[], extend_ignore=[],
        extended_default_select=[], extended_default_ignore=[],
    )
    linters = Flake8Extension.get_linter_classes()  # discovery scans sys.path once: keep it out of the timing
    label = "dlint `Flake8Extension(tree, filename).run()`, " + (
        f"all {len(linters)} DUO linters" if all_linters
        else f"{', '.join(sorted(linter._code for linter in linters))} selected")
    return AstPlugin(
        "dlint", label,
        lambda f: list(Flake8Extension(f.tree, f.path).run()),
        lambda found: Counter(x[2].split()[0] for x in found),
    )


@dataclass
class PluginTiming:
    per_corpus: Dict[str, List[float]] = field(default_factory=dict)  # corpus -> wall seconds, one per pass
    per_corpus_cpu: Dict[str, List[float]] = field(default_factory=dict)  # the same in CPU seconds
    findings: Counter = field(default_factory=Counter)
    per_corpus_findings: Dict[str, int] = field(default_factory=dict)
    failures: List[Tuple[str, str]] = field(default_factory=list)

    def best(self, corpus: Optional[str] = None) -> float:
        if corpus is not None:
            return min(self.per_corpus[corpus])
        return sum(min(v) for v in self.per_corpus.values())

    def best_cpu(self) -> float:
        return sum(min(v) for v in self.per_corpus_cpu.values())


def time_ast_plugins(plugins: List[AstPlugin], corpora: List[Corpus], repeat: int) -> Dict[str, PluginTiming]:
    results = {p.name: PluginTiming() for p in plugins}
    # Warm up: imports, lazily built tables, caches of every plugin, outside the timing.
    warm = [f for c in corpora for f in c.files[:10]]
    for plugin in plugins:
        for f in warm:
            try:
                plugin.run(f)
            except Exception:  # noqa: BLE001 - reported by the timed passes
                pass
    for rep in range(repeat):
        order = plugins[rep % len(plugins):] + plugins[: rep % len(plugins)]  # rotate to spread drift
        for plugin in order:
            timing = results[plugin.name]
            first = rep == 0
            for corpus in corpora:
                gc.collect()
                run = plugin.run
                spent = cpu = 0.0
                count = Counter()
                for f in corpus.files:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    try:
                        found = run(f)
                    except Exception as exc:  # noqa: BLE001 - a plugin failure is a result
                        spent += time.perf_counter() - start
                        cpu += time.process_time() - start_cpu
                        if first:
                            timing.failures.append((f.path, f"{type(exc).__name__}: {exc}"))
                        continue
                    spent += time.perf_counter() - start
                    cpu += time.process_time() - start_cpu
                    if first and plugin.count is not None and found is not None:
                        count.update(plugin.count(found))
                timing.per_corpus.setdefault(corpus.name, []).append(spent)
                timing.per_corpus_cpu.setdefault(corpus.name, []).append(cpu)
                if first:
                    timing.findings.update(count)
                    timing.per_corpus_findings[corpus.name] = sum(count.values())
            log(f"  pass {rep + 1}/{repeat} {plugin.name}: {sum(v[-1] for v in timing.per_corpus.values()):.2f}s")
    return results


# --------------------------------------------------------------------------- venvs and subprocesses


def venv_bin(venv: Path, exe: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / exe


def clean_env(venv: Optional[Path] = None) -> Dict[str, str]:
    """The environment for the timed subprocesses.

    Byte-code caching is on, into a cache of our own: with PYTHONDONTWRITEBYTECODE set (as in some
    sandboxes) every run would recompile the editable flake8-pickle from source, a start-up cost no
    installed copy pays; a prefix keeps the .pyc files out of the checkout and the installed Python.
    """
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    if venv is not None:
        env["PATH"] = str(venv_bin(venv, "")) + os.pathsep + env.get("PATH", "")
        env["VIRTUAL_ENV"] = str(venv)
    return env


def ensure_venv(venv: Path, requirements: List[str], editable: Optional[Path]) -> None:
    """Create (or reuse, when its recorded recipe is unchanged) a venv with exactly these packages."""
    recipe = {"python": sys.version, "base": sys.base_prefix, "requirements": requirements,
              "editable": str(editable) if editable else None,
              # a dependency added to pyproject.toml must reach the editable install too
              "pyproject": (editable / "pyproject.toml").read_text() if editable else None}
    stamp = venv / "benchmark-recipe.json"
    if stamp.exists() and venv_bin(venv, "flake8").exists():
        try:
            if json.loads(stamp.read_text()) == recipe:
                return
        except ValueError:
            pass
    log(f"creating {venv.relative_to(REPO)} ({' '.join(requirements)}{' + -e ' + str(editable) if editable else ''})")
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv_bin(venv, "python")), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    steps = [pip + requirements] + ([pip + requirements + ["-e", str(editable)]] if editable else [])
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, env=clean_env(venv))
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(step)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    stamp.write_text(json.dumps(recipe))


def flake8_version_line(venv: Path) -> str:
    proc = subprocess.run([str(venv_bin(venv, "flake8")), "--version"], capture_output=True, text=True,
                          env=clean_env(venv))
    return " ".join(proc.stdout.split())


def plugins_in_version_line(line: str) -> List[str]:
    match = re.search(r"\((.*?)\)", line, re.S)
    return [p.split(":")[0].strip() for p in match.group(1).split(",")] if match else []


@dataclass
class ProcessTiming:
    label: str
    command: List[str]
    times: Dict[str, List[float]] = field(default_factory=dict)  # corpus -> wall seconds per pass
    cpu: Dict[str, List[float]] = field(default_factory=dict)  # corpus -> CPU seconds (user + system) per pass
    findings: Counter = field(default_factory=Counter)
    notes: List[str] = field(default_factory=list)  # distinct remarks, each once
    problems: Counter = field(default_factory=Counter)  # remark -> number of files, over all corpora

    def best(self) -> float:
        return sum(min(v) for v in self.times.values())

    def best_cpu(self) -> float:
        return sum(min(v) for v in self.cpu.values())

    def record(self, corpus: str, wall: float, cpu: float) -> None:
        self.times.setdefault(corpus, []).append(wall)
        self.cpu.setdefault(corpus, []).append(cpu)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def remarks(self) -> List[str]:
        return [f"{n} {text}" for text, n in self.problems.items()] + self.notes


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(cmd: List[str], env: Dict[str, str]) -> Tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds (user + system of the finished child and its children) of one command."""
    with tempfile.TemporaryDirectory() as cwd:
        start, start_cpu = time.perf_counter(), children_cpu()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
        return time.perf_counter() - start, children_cpu() - start_cpu, proc


FLAKE8_LINE = re.compile(r"^.+?:\d+:\d+: ([A-Z]+[0-9]+) ", re.M)


def count_flake8(proc: subprocess.CompletedProcess) -> Counter:
    return Counter(FLAKE8_LINE.findall(proc.stdout))


def time_flake8_overhead(corpora: List[Corpus], repeat: int) -> Dict[str, Any]:
    core = [f"{name}=={dist_version(name)}" for name in FLAKE8_CORE]
    if any(r.endswith("==None") for r in core):
        raise SystemExit(f"flake8 and its default plugins must be installed here: {core}")
    libcst = dist_version("libcst")
    base = CACHE / "venv-base"
    pkl = CACHE / "venv-pkl"
    ensure_venv(base, core, None)
    ensure_venv(pkl, core + ([f"libcst=={libcst}"] if libcst else []), REPO)
    versions = {"without": flake8_version_line(base), "with": flake8_version_line(pkl)}
    expected = {"without": {"mccabe", "pycodestyle", "pyflakes"},
                "with": {"mccabe", "pycodestyle", "pyflakes", "flake8-pickle"}}
    for key, line in versions.items():
        found = set(plugins_in_version_line(line))
        if found != expected[key]:
            raise SystemExit(f"venv for the run {key} our plugin has plugins {sorted(found)}; "
                             f"expected {sorted(expected[key])}: {line}")
    runs = {
        "without": ProcessTiming("flake8 -j1 --isolated (pyflakes, pycodestyle, mccabe)",
                                 [str(venv_bin(base, "flake8")), "-j1", "--isolated"]),
        "with": ProcessTiming("same + flake8-pickle",
                              [str(venv_bin(pkl, "flake8")), "-j1", "--isolated"]),
    }
    envs = {"without": clean_env(base), "with": clean_env(pkl)}
    # One untimed warm-up each (byte-compiles the venv, fills the page cache).
    warm = [f.path for c in corpora for f in c.files[:20]]
    for key, timing in runs.items():
        run_timed(timing.command + warm, envs[key])
    for rep in range(repeat):
        keys = ["without", "with"] if rep % 2 == 0 else ["with", "without"]
        for corpus in corpora:
            files = [f.path for f in corpus.files]
            for key in keys:
                timing = runs[key]
                spent, cpu, proc = run_timed(timing.command + files, envs[key])
                if proc.returncode not in (0, 1) or "failed during execution" in proc.stderr:
                    raise SystemExit(f"flake8 ({key}) failed on {corpus.name}:\n{proc.stderr[-3000:]}")
                timing.record(corpus.name, spent, cpu)
                if rep == 0:
                    timing.findings.update(count_flake8(proc))
                log(f"  pass {rep + 1}/{repeat} flake8 {key} our plugin, {corpus.name}: {spent:.2f}s, "
                    f"CPU {cpu:.2f}s")
    without, with_ = runs["without"].best(), runs["with"].best()
    without_cpu, with_cpu = runs["without"].best_cpu(), runs["with"].best_cpu()
    return {
        "runs": runs, "versions": versions,
        "overhead_pct": 100.0 * (with_ - without) / without if without else float("nan"),
        "overhead_cpu_pct": 100.0 * (with_cpu - without_cpu) / without_cpu if without_cpu else float("nan"),
        "per_corpus_pct": {
            c.name: 100.0 * (min(runs["with"].times[c.name]) - min(runs["without"].times[c.name]))
            / min(runs["without"].times[c.name])
            for c in corpora
        },
    }


def tool_exe(name: str) -> Optional[str]:
    local = Path(sys.executable).with_name(name)
    return str(local) if local.exists() else shutil.which(name)


def time_peers(corpora: List[Corpus], repeat: int) -> List[ProcessTiming]:
    peers: List[ProcessTiming] = []
    bandit = tool_exe("bandit")
    ruff = tool_exe("ruff")
    if bandit:
        peers.append(ProcessTiming(f"bandit {dist_version('bandit')}",
                                   [bandit, "-r", "-q", "-f", "json", "-t", "B301,B302,B403"]))
    if ruff:
        base = [ruff, "check", "--isolated", "--no-cache", "--select", "S301,S302,S403", "--output-format", "json"]
        peers.append(ProcessTiming(f"ruff {dist_version('ruff')}", base))
        # S403 is a preview rule in recent ruff: without --preview ruff says the selection has no effect.
        peers.append(ProcessTiming(f"ruff {dist_version('ruff')} --preview", base + ["--preview"]))
    env = clean_env()
    for rep in range(repeat):
        for corpus in corpora:
            files = [f.path for f in corpus.files]
            for peer in peers:
                spent, cpu, proc = run_timed(peer.command + files, env)
                peer.record(corpus.name, spent, cpu)
                if rep == 0:
                    count_peer(peer, proc)
                log(f"  pass {rep + 1}/{repeat} {peer.label}, {corpus.name}: {spent:.2f}s, CPU {cpu:.2f}s")
    return peers


def count_peer(peer: ProcessTiming, proc: subprocess.CompletedProcess) -> None:
    try:
        data = json.loads(proc.stdout or "null")
    except ValueError:
        peer.note(f"unreadable output (exit {proc.returncode}): {proc.stderr.strip()[:200]}")
        return
    if peer.label.startswith("bandit"):
        data = data or {}
        peer.findings.update(r["test_id"] for r in data.get("results", []))
        if data.get("errors"):
            peer.problems["bandit errors (files it could not process)"] += len(data["errors"])
    else:
        peer.findings.update(r.get("code") or "syntax-error" for r in (data or []))
        failed = proc.stderr.count("Failed to lint")
        if failed:
            peer.problems["file(s) ruff could not read (not UTF-8)"] += failed
        if "has no effect because preview is not enabled" in proc.stderr:
            selection = re.findall(r"Selection `(\w+)` has no effect because preview", proc.stderr)
            peer.note(f"{', '.join(sorted(set(selection)))} off without --preview")


# --------------------------------------------------------------------------- scaling

SCALES = (1, 4, 16, 64)
QUICK_SCALES = (1, 4, 16)


def max_nesting() -> int:
    """The deepest block nesting inside a function that this interpreter's parser accepts."""
    for depth in range(120, 1, -1):
        try:
            ast.parse(deep_function(0, depth))
            return depth
        except (SyntaxError, RecursionError, MemoryError):
            continue
    return 1


def deep_function(i: int, depth: int) -> str:
    lines = [f"def deep_{i}(items, request, fh):"]
    closers: List[Tuple[int, str]] = []
    for level in range(1, depth + 1):
        pad = "    " * level
        kind = level % 4
        if kind == 1:
            lines.append(f"{pad}if items:")
        elif kind == 2:
            lines.append(f"{pad}for x{level} in items:")
        elif kind == 3:
            lines.append(f"{pad}with open(x{level - 1}, 'rb') as f{level}:")
        else:
            lines.append(f"{pad}try:")
            closers.append((level, f"{pad}except ValueError:\n{pad}    v{level} = pickle.loads(request.data)"))
    inner = "    " * (depth + 1)
    lines.append(f"{inner}data = pickle.load(fh)")
    lines.append(f"{inner}return marshal.loads(data)")
    for level, text in reversed(closers):
        lines.append(text)
    return "\n".join(lines) + "\n"


def gen_wide(units: int) -> str:
    out = ["import pickle", "import threading", "import multiprocessing.connection as mpc", ""]
    for i in range(units * 12):
        out.append(f"""
def load_{i}(path, request):
    import marshal
    with open(path, "rb") as fh:
        obj = pickle.load(fh)
    data = request.get_data()
    if data:
        obj = pickle.loads(data)
    return marshal.loads(obj)


class Holder{i}:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.fh = open(path)
        self.items = []

    def __reduce__(self):
        return (Holder{i}, (self.fh.name,))

    def save(self, fh):
        pickle.dump(self, fh)


def listen_{i}(address):
    conn = mpc.Client(address)
    return conn.recv()
""")
    return "\n".join(out)


def gen_long(units: int) -> str:
    n = units * 400
    out = ["import pickle", "", "def chain(a0, request):"]
    for j in range(1, n + 1):
        out.append(f"    a{j} = a{j - 1}")
        if j % 20 == 0:
            out.append(f"    r{j} = pickle.loads(a{j})")
    out.append(f"    return pickle.loads(a{n})")
    return "\n".join(out) + "\n"


def gen_loop(units: int) -> str:
    """The chain written backwards inside a loop: a fact entering at a0 needs one loop trip per link."""
    n = units * 400
    out = ["import pickle", "", "def loop(request, rounds):", f"    a{n} = None", "    a0 = request.data",
           "    for _ in range(rounds):"]
    for j in range(n, 0, -1):
        out.append(f"        a{j} = a{j - 1}")
    out.append(f"    return pickle.loads(a{n})")
    return "\n".join(out) + "\n"


def gen_deep(units: int, depth: int) -> str:
    header = "import pickle\nimport marshal\n\n"
    return header + "\n".join(deep_function(i, depth) for i in range(units))


def gen_nest(units: int, limit: int) -> Optional[str]:
    """Sixteen functions whose nesting depth grows with the size: cost per line against depth."""
    depth = 6 * units
    if depth > limit:
        return None
    header = "import pickle\nimport marshal\n\n"
    return header + "\n".join(deep_function(i, depth) for i in range(16))


def gen_attrs(units: int) -> str:
    n = units * 250
    out = ["import copy", "import pickle", "import threading", "", "class Big:", "    def __init__(self, path):"]
    for j in range(n):
        value = ("threading.Lock()" if j % 10 == 0 else "open(path)" if j % 10 == 5 else f"{j}")
        out.append(f"        self.a{j} = {value}")
    out += ["", "    def __getstate__(self):", "        state = self.__dict__.copy()"]
    out += [f"        del state['a{j}']" for j in range(0, n, 10)]
    out += ["        return state", "", "    def __setstate__(self, state):", "        self.__dict__.update(state)",
            "", "", "def use(path):", "    big = Big(path)", "    clone = copy.deepcopy(big)",
            "    return pickle.dumps(clone)"]
    return "\n".join(out) + "\n"


def gen_mutual(units: int) -> str:
    """One cycle of helpers each passing its argument on; the last one feeds a loader."""
    n = units * 60
    out = ["import pickle", ""]
    for j in range(n):
        nxt = (j + 1) % n
        out.append(f"""
def h{j}(data, n):
    if n > 0:
        return h{nxt}(data, n - 1)
    return {'pickle.loads(data)' if j == n - 1 else f'h{nxt}(data, 0)'}
""")
    out.append("\ndef entry(request):\n    return h0(request.get_data(), 3)\n")
    return "\n".join(out)


def gen_chain(units: int) -> str:
    """Sixteen method chains whose length grows with the size (20·k calls): cost per call against length."""
    links = "".join(f".m{j % 7}()" for j in range(20 * units))
    out = ["import pickle", "", "def chained(request, client):"]
    for j in range(16):
        out.append(f"    r{j} = client{links}")
    out.append("    return pickle.loads(request.data)")
    return "\n".join(out) + "\n"


def scaling_shapes(depth: int) -> Dict[str, Tuple[str, Callable[[int], Optional[str]]]]:
    return {
        "wide": ("many independent functions, classes, imports and loader calls", gen_wide),
        "long": ("one function, a chain `a1 = a0; a2 = a1; ...` with loader calls", gen_long),
        "deep": (f"one function per unit nested {depth} blocks deep (if/for/with/try), repeated",
                 lambda u: gen_deep(u, depth)),
        "nest": (f"16 functions nested 6·k blocks deep: the depth grows with k, not the count "
                 f"(64x is past the parser's limit of {depth})", lambda u: gen_nest(u, depth)),
        "chain": ("16 method chains `client.m0().m1()...` of 20·k calls: the length grows with k", gen_chain),
        "loop": ("the chain written backwards inside a `for` loop (fixpoint stress)", gen_loop),
        "attrs": ("one class with 250 attributes per unit, copied and pickled", gen_attrs),
        "mutual": ("a cycle of 60 mutually recursive helpers per unit ending in a loader", gen_mutual),
    }


def time_scaling(repeat: int, scales: Sequence[int]) -> Dict[str, Any]:
    from flake8_pickle.analysis import analyze
    import pyflakes.checker

    depth = max_nesting()
    shapes = scaling_shapes(depth)
    checkers = {
        "ours": lambda tree: analyze(tree),
        "pyflakes": lambda tree: pyflakes.checker.Checker(tree, filename="<generated>"),
    }
    inner_base = 16
    rows: List[Dict[str, Any]] = []
    for shape, (description, generate) in shapes.items():
        trees: Dict[int, Tuple[Optional[ast.AST], Any]] = {}
        for k in scales:
            src = generate(k)
            if src is None:
                trees[k] = (None, "past the parser's limit")
                continue
            try:
                trees[k] = (ast.parse(src), src.count("\n"))
            except (SyntaxError, RecursionError, MemoryError) as exc:
                trees[k] = (None, src.count("\n"))
                log(f"  {shape} {k}x does not parse: {type(exc).__name__}: {exc}")
        gc.collect()
        gc.freeze()
        best: Dict[Tuple[str, int], Any] = {}
        best_cpu: Dict[Tuple[str, int], float] = {}
        for name, check in checkers.items():  # warm-up, outside the timing
            try:
                check(trees[scales[0]][0])
            except Exception:  # noqa: BLE001 - reported by the timed runs
                pass
        for rep in range(repeat):
            for k in scales:
                tree, _ = trees[k]
                if tree is None:
                    continue
                inner = max(1, inner_base // k)  # small sizes: several calls per measurement, averaged
                for name, check in checkers.items():
                    if isinstance(best.get((name, k)), str):
                        continue
                    gc.collect()
                    start, start_cpu = time.perf_counter(), time.process_time()
                    try:
                        for _ in range(inner):
                            check(tree)
                    except Exception as exc:  # noqa: BLE001 - a failure is a result
                        best[(name, k)] = f"{type(exc).__name__}"
                        continue
                    per = (time.perf_counter() - start) / inner
                    per_cpu = (time.process_time() - start_cpu) / inner
                    best[(name, k)] = min(best.get((name, k), per), per)
                    best_cpu[(name, k)] = min(best_cpu.get((name, k), per_cpu), per_cpu)
        gc.unfreeze()
        for k in scales:
            row = {"shape": shape, "description": description, "k": k, "lines": trees[k][1]}
            if trees[k][0] is None and not isinstance(trees[k][1], int):
                row["lines"] = None
            for name in checkers:
                for suffix, table in (("", best), ("_cpu", best_cpu)):
                    value = table.get((name, k))
                    base = table.get((name, scales[0]))
                    row[name + suffix] = value
                    row[name + suffix + "_linear"] = (
                        value / (k / scales[0]) / base
                        if isinstance(value, float) and isinstance(base, float) and base else None)
            rows.append(row)
        log(f"  scaling {shape}: done")
        del trees
    return {"depth": depth, "rows": rows, "shapes": {k: v[0] for k, v in shapes.items()}}


# --------------------------------------------------------------------------- profile


def profile_analyze(corpora: List[Corpus], top: int = 10) -> str:
    from flake8_pickle.analysis import analyze

    profiler = cProfile.Profile()
    profiler.enable()
    for corpus in corpora:
        for f in corpus.files:
            try:
                analyze(f.tree)
            except Exception:  # noqa: BLE001
                pass
    profiler.disable()
    out = io.StringIO()
    for key in ("cumulative", "tottime"):
        out.write(f"--- top {top} by {key} ---\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(key).print_stats(top)
    return out.getvalue()


# --------------------------------------------------------------------------- output


def fmt_s(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    if value >= 0.01:
        return f"{value:.3f}"
    return f"{value * 1000:.2f} ms"


def fmt_ratio(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.2f}"


def fmt_counts(counter: Counter, limit: int = 6) -> str:
    if not counter:
        return "—"
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{k} {v}" for k, v in items[:limit])
    return text + (f", +{len(items) - limit} more" if len(items) > limit else "")


class Report:
    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.out: List[str] = []

    def heading(self, text: str, level: int = 3) -> None:
        self.out.append("")
        self.out.append(("#" * level + " " + text) if self.markdown else f"== {text} ==")
        self.out.append("")

    def para(self, text: str) -> None:
        self.out.append(text)

    def table(self, header: Sequence[str], rows: Iterable[Sequence[Any]], align: str = "") -> None:
        rows = [[str(c) for c in r] for r in rows]
        align = (align or "l" + "r" * (len(header) - 1)).ljust(len(header), "r")
        if self.markdown:
            self.out.append("| " + " | ".join(header) + " |")
            self.out.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
            for r in rows:
                self.out.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
        else:
            widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

            def line(cells: Sequence[str]) -> str:
                return "  ".join(c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, widths, align))
            self.out.append(line(header))
            self.out.append("  ".join("-" * w for w in widths))
            self.out.extend(line(r) for r in rows)
        self.out.append("")

    def text(self) -> str:
        return "\n".join(self.out).strip() + "\n"


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs"


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return float("nan")


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "flake8_pickle"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" + uncommitted changes in flake8_pickle/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def tool_versions() -> str:
    names = ["flake8-pickle", "flake8", "pyflakes", "pycodestyle", "mccabe", "flake8-bugbear", "dlint",
             "bandit", "ruff", "libcst"]
    parts = [f"{n} {dist_version(n)}" for n in names if dist_version(n)]
    return ", ".join(parts)


def render(args: argparse.Namespace, corpora: List[Corpus], parse_seconds: Dict[str, float],
           ast_results: Dict[str, PluginTiming], ast_labels: Dict[str, str], missing: Dict[str, str],
           overhead: Optional[Dict[str, Any]], peers: Optional[List[ProcessTiming]],
           scaling: Optional[Dict[str, Any]], elapsed: float) -> str:
    r = Report(args.markdown)
    r.heading("flake8-pickle benchmark", 2 if args.markdown else 3)
    command = "python benchmarks/run.py " + " ".join(shlex.quote(a) for a in args.argv)
    r.para(f"- Command: `{command.strip()}` (repeat {args.repeat}, scaling repeat {args.scaling_repeat}, "
           f"minimum of the repeats reported; "
           f"whole run {elapsed / 60:.1f} min)")
    r.para(f"- Machine: {machine_description()}; load average (1 min) {args.load_before:.2f} at the start, "
           f"{load_average():.2f} at the end (above 0 means other work shared the CPUs)")
    r.para(f"- Python: {platform.python_implementation()} {platform.python_version()}")
    r.para(f"- Tools: {tool_versions()}")
    r.para(f"- flake8-pickle checkout: {git_revision()}")

    r.heading("Corpus")
    rows = []
    for c in corpora:
        rows.append([c.name, c.version, len(c.paths), len(c.files), len(c.skipped), f"{c.n_lines:,}",
                     fmt_s(parse_seconds[c.name])])
    if len(corpora) > 1:
        rows.append(["**total**" if args.markdown else "total", "", sum(len(c.paths) for c in corpora),
                     sum(len(c.files) for c in corpora), sum(len(c.skipped) for c in corpora),
                     f"{sum(c.n_lines for c in corpora):,}", fmt_s(sum(parse_seconds.values()))])
    r.table(["corpus", "version", ".py files", "parsed", "skipped (do not parse)", "lines", "ast.parse s"],
            rows, "ll")

    r.heading("1. AST plugins on the same parsed trees")
    pyflakes_best = ast_results["pyflakes"].best()
    pyflakes_cpu = ast_results["pyflakes"].best_cpu()
    rows = []
    for name, timing in ast_results.items():
        if name == "dlint":
            continue
        best, cpu = timing.best(), timing.best_cpu()
        rows.append([ast_labels[name], fmt_s(best), fmt_ratio(best / pyflakes_best if pyflakes_best else None),
                     fmt_s(cpu), fmt_ratio(cpu / pyflakes_cpu if pyflakes_cpu else None),
                     sum(timing.findings.values()), len(timing.failures)])
    r.table(["plugin", "seconds", "ratio to pyflakes", "CPU s", "CPU ratio", "findings", "files failed"], rows)
    for name, note in missing.items():
        r.para(f"- {name}: {note}")
    ours = ast_results["ours-analyze"].best()
    r.para(f"Ours to pyflakes: **{ours / pyflakes_best:.2f}x** with `analyze(tree)`, "
           f"**{ast_results['ours-plugin'].best() / pyflakes_best:.2f}x** through the flake8 entry point "
           f"(CPU time: {ast_results['ours-analyze'].best_cpu() / pyflakes_cpu:.2f}x and "
           f"{ast_results['ours-plugin'].best_cpu() / pyflakes_cpu:.2f}x; target: at most 0.5x), "
           f"{ast_results['ours-project'].best() / pyflakes_best:.2f}x with each corpus as its project "
           f"(warm index; a cold index is measured by `benchmarks/project_index.py`).")
    failures = [(n, f) for n, t in ast_results.items() for f in t.failures]
    for name, (path, error) in failures[:10]:
        r.para(f"- {name} failed on `{path}`: {error}")
    if len(corpora) > 1:
        r.para("")
        r.para("Per corpus:")
        r.para("")
        names = [n for n in ast_results if n != "dlint"]
        rows = []
        for c in corpora:
            pf = ast_results["pyflakes"].best(c.name)
            rows.append([c.name] + [fmt_s(ast_results[n].best(c.name)) for n in names]
                        + [fmt_ratio(ast_results["ours-plugin"].best(c.name) / pf if pf else None),
                           fmt_ratio(ast_results["ours-project"].best(c.name) / pf if pf else None),
                           fmt_ratio(ast_results["ours-analyze"].best(c.name) / pf if pf else None)])
        r.table(["corpus"] + [n for n in names] + ["plugin/pyflakes", "with index/pyflakes", "analyze/pyflakes"], rows)

    if overhead is not None:
        r.heading("2. flake8 overhead")
        runs = overhead["runs"]
        rows = []
        for key in ("without", "with"):
            run = runs[key]
            rows.append([run.label, fmt_s(run.best()), fmt_s(run.best_cpu()), sum(run.findings.values()),
                         sum(v for k, v in run.findings.items() if k.startswith("PKL"))])
        rows.append(["**overhead**" if args.markdown else "overhead", f"{overhead['overhead_pct']:+.1f} %",
                     f"{overhead['overhead_cpu_pct']:+.1f} %", "", ""])
        r.table(["run (`flake8 -j1 --isolated FILES`)", "wall s", "CPU s", "findings", "PKL findings"], rows)
        r.para(f"- without: `{overhead['versions']['without']}`")
        r.para(f"- with: `{overhead['versions']['with']}`")
        if len(corpora) > 1:
            r.para("- per corpus: " + ", ".join(f"{k} {v:+.1f} %" for k, v in overhead["per_corpus_pct"].items()))
        r.para("")
        r.para("Target: under 5 % added to a default flake8 run.")

    if peers is not None:
        r.heading("3. Peers on the same files")
        rows = []
        ours_t = ast_results["ours-analyze"]
        rows.append(["flake8-pickle `analyze(tree)`", "in process, parsed trees", fmt_s(ours_t.best()),
                     fmt_s(ours_t.best_cpu()), sum(ours_t.findings.values()), fmt_counts(ours_t.findings)])
        total_parse = sum(parse_seconds.values())
        rows.append(["flake8-pickle parse + `analyze(tree)`", "in process, incl. ast.parse",
                     fmt_s(ours_t.best() + total_parse), "", "", ""])
        if "dlint" in ast_results:
            d = ast_results["dlint"]
            pickle_family = Counter({k: v for k, v in d.findings.items() if k in ("DUO103", "DUO119", "DUO120")})
            rows.append([ast_labels["dlint"], "in process, parsed trees", fmt_s(d.best()), fmt_s(d.best_cpu()),
                         f"{sum(d.findings.values())} ({sum(pickle_family.values())} pickle/shelve/marshal)",
                         fmt_counts(pickle_family) + (f"; failed on {len(d.failures)} files" if d.failures else "")])
        else:
            rows.append(["dlint", "not installed", "—", "—", "—", "—"])
        for p in peers:
            rows.append([p.label + (" (" + "; ".join(p.remarks()) + ")" if p.remarks() else ""), "process, wall",
                         fmt_s(p.best()), fmt_s(p.best_cpu()), sum(p.findings.values()), fmt_counts(p.findings)])
        r.table(["tool", "how timed", "wall s", "CPU s", "findings", "by code"], rows, "llrrrl")
        r.para("- bandit: `bandit -r -q -f json -t B301,B302,B403 FILES`; ruff: "
               "`ruff check --isolated --no-cache --select S301,S302,S403 --output-format json FILES`.")
        r.para("- Our count is every code `analyze(tree)` reports, PKL901 (every loader call, the inventory "
               "comparable to B301/S301) included; PKL901 is off by default in flake8.")
        r.para("- dlint is timed as its flake8 checker class over the parsed trees, with the linters "
               "`flake8 --select DUO103,DUO119,DUO120` would run (pickle, shelve, marshal: the same restriction "
               "as bandit's `-t` and ruff's `--select`; `--dlint-all` runs every DUO linter). Its time compares "
               "with the in-process rows, not with the process wall times, which include start-up and parsing.")

    if scaling is not None:
        r.heading("4. Scaling on generated modules")
        r.para("Seconds per call of `analyze(tree)` and of pyflakes' `Checker` on one generated module of k "
               "units (each measurement averages 16/k calls, minimum of the scaling repeats). "
               "`t(k)/(k·t(1))` near 1.0 means linear; above 1 grows faster than the size. "
               "Deepest block nesting this parser accepts "
               f"inside a function: {scaling['depth']}.")
        r.para("")
        rows = []
        for row in scaling["rows"]:
            lines = "past the limit" if row["lines"] is None else f"{row['lines']:,}"
            rows.append([row["shape"], f"{row['k']}x", lines, fmt_s(row["ours"]), fmt_ratio(row["ours_linear"]),
                         fmt_ratio(row["ours_cpu_linear"]), fmt_s(row["pyflakes"]),
                         fmt_ratio(row["pyflakes_linear"]), fmt_ratio(row["pyflakes_cpu_linear"])])
        r.table(["shape", "size", "lines", "ours s", "ours t(k)/(k·t(1))", "same, CPU", "pyflakes s",
                 "pyflakes t(k)/(k·t(1))", "same, CPU"], rows, "ll")
        for shape, description in scaling["shapes"].items():
            r.para(f"- {shape}: {description}")
    return r.text()


def to_json(corpora: List[Corpus], parse_seconds: Dict[str, float], ast_results: Dict[str, PluginTiming],
            overhead: Optional[Dict[str, Any]], peers: Optional[List[ProcessTiming]],
            scaling: Optional[Dict[str, Any]], args: argparse.Namespace) -> Dict[str, Any]:
    return {
        "argv": args.argv, "repeat": args.repeat, "machine": machine_description(),
        "load_average": [args.load_before, load_average()],
        "python": platform.python_version(), "tools": tool_versions(), "checkout": git_revision(),
        "corpora": [{"name": c.name, "version": c.version, "files": len(c.paths), "parsed": len(c.files),
                     "skipped": c.skipped, "lines": c.n_lines, "parse_seconds": parse_seconds[c.name]}
                    for c in corpora],
        "ast": {n: {"seconds": t.per_corpus, "best": t.best(), "cpu_seconds": t.per_corpus_cpu,
                    "best_cpu": t.best_cpu(), "findings": dict(t.findings),
                    "failures": t.failures} for n, t in ast_results.items()},
        "flake8": None if overhead is None else {
            "overhead_pct": overhead["overhead_pct"], "overhead_cpu_pct": overhead["overhead_cpu_pct"],
            "versions": overhead["versions"],
            "runs": {k: {"seconds": v.times, "cpu_seconds": v.cpu, "best": v.best(), "best_cpu": v.best_cpu(),
                         "findings": dict(v.findings)}
                     for k, v in overhead["runs"].items()}},
        "peers": None if peers is None else [
            {"tool": p.label, "command": p.command, "seconds": p.times, "best": p.best(),
             "cpu_seconds": p.cpu, "best_cpu": p.best_cpu(),
             "findings": dict(p.findings), "notes": p.remarks()} for p in peers],
        "scaling": scaling,
    }


# --------------------------------------------------------------------------- main


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=",".join(DEFAULT_CORPORA),
                        help="comma-separated: stdlib (the library, its test suites excluded), stdlib-tests, "
                             f"or PyPI names such as {', '.join(KNOWN_WHEELS)} (optionally name==version); "
                             "'all' for stdlib and every one of those wheels; default: %(default)s")
    parser.add_argument("--repeat", type=int, default=None, help="passes per measurement, minimum kept "
                        "(default 3; 1 with --quick)")
    parser.add_argument("--scaling-repeat", type=int, default=None,
                        help="repeats of each scaling measurement, minimum kept (default 5; 1 with --quick): "
                             "the large sizes are single calls, so they need more repeats than the corpus passes")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK_FILES_PER_CORPUS} files per corpus, scaling up to 16x")
    parser.add_argument("--skip-flake8-overhead", action="store_true", help="do not build venvs or run flake8")
    parser.add_argument("--skip-peers", action="store_true", help="do not run bandit, ruff, dlint")
    parser.add_argument("--skip-scaling", action="store_true", help="do not run the generated-module scaling")
    parser.add_argument("--dlint-all", action="store_true",
                        help="time every dlint linter (--select DUO) instead of its pickle/shelve/marshal ones")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables for the README")
    parser.add_argument("--json", metavar="FILE", help="also write every raw measurement to FILE")
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile's top functions of analyze() over the corpus (not timed)")
    args = parser.parse_args(argv)
    args.argv = argv
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.scaling_repeat is None:
        args.scaling_repeat = 1 if args.quick else 5
    if args.repeat < 1 or args.scaling_repeat < 1:
        parser.error("--repeat and --scaling-repeat must be at least 1")
    args.corpora = [c.strip() for c in args.corpus.split(",") if c.strip()]
    if args.corpora == ["all"]:
        args.corpora = ["stdlib", *KNOWN_WHEELS]
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    args.load_before = load_average()
    started = time.perf_counter()
    corpora: List[Corpus] = []
    for name in args.corpora:
        corpus = load_corpus(name)
        if args.quick:
            corpus.paths = quick_subset(corpus.paths, QUICK_FILES_PER_CORPUS)
        corpora.append(corpus)
    plugins, missing = ast_plugins(corpora)
    # flake8 hands every plugin the file's lines; ours reads them for its text pre-check, so they
    # are kept whichever plugins run (without them the plugin walks every body, which flake8 never does).
    keep_lines = True
    parse_seconds: Dict[str, float] = {}
    # The trees live for the whole run. The collector is off while they pile up (else its full passes
    # over every tree parsed so far would be charged to ast.parse), then they are frozen, so no plugin
    # pays for rescanning them in its passes (flake8 holds one tree at a time): the same for every plugin.
    gc.disable()
    for corpus in corpora:
        log(f"parsing {corpus.name} ({len(corpus.paths)} files) ...")
        parse_seconds[corpus.name] = parse_corpus(corpus, keep_lines)
    gc.enable()
    gc.collect()
    gc.freeze()

    if not args.skip_peers:
        dlint = dlint_plugin(args.dlint_all)
        if dlint is not None:
            plugins.append(dlint)
    labels = {p.name: p.label for p in plugins}
    log(f"timing AST plugins ({', '.join(p.name for p in plugins)}), {args.repeat} passes ...")
    ast_results = time_ast_plugins(plugins, corpora, args.repeat)

    profile_text = profile_analyze(corpora) if args.profile else None

    peers = None
    if not args.skip_peers:
        log("timing peers ...")
        peers = time_peers(corpora, args.repeat)

    overhead = None
    if not args.skip_flake8_overhead:
        log("timing flake8 with and without flake8-pickle ...")
        overhead = time_flake8_overhead(corpora, args.repeat)

    scaling = None
    if not args.skip_scaling:
        log("timing scaling on generated modules ...")
        for corpus in corpora:  # the trees are no longer needed: free them before generating modules
            for f in corpus.files:
                f.tree, f.lines = None, []
        gc.unfreeze()
        gc.collect()
        scaling = time_scaling(args.scaling_repeat, QUICK_SCALES if args.quick else SCALES)

    elapsed = time.perf_counter() - started
    print(render(args, corpora, parse_seconds, ast_results, labels, missing, overhead, peers, scaling, elapsed))
    if profile_text:
        print("```" if args.markdown else "", profile_text, "```" if args.markdown else "", sep="\n")
    if args.json:
        Path(args.json).write_text(json.dumps(
            to_json(corpora, parse_seconds, ast_results, overhead, peers, scaling, args), indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
