"""What the project index costs: flake8 with a cold and a warm cache, against flake8 without the plugin.

Usage:
    python benchmarks/project_index.py [--corpus django,distributed] [--repeat N] [--jobs N] [--json FILE]

For each corpus (a wheel unpacked by ``benchmarks/run.py``'s cache, or ``stdlib``), in one run:

- ``without``: ``flake8 -jN --isolated`` in a venv with only flake8 and its default plugins;
- ``off``: the same in a venv that also has flake8-pickle (this checkout), with
  ``--pickle-project-root off``: every file analysed alone;
- ``cold``: the plugin with the corpus as the project root and an empty cache directory;
- ``warm``: the same again, with the cache the cold run wrote.

Each is the minimum of N runs, interleaved; every row is reported as a ratio to ``without``, in wall
time and in CPU time (user + system of flake8 and its children: steadier on a shared machine), with
the cache's size on disk. The venvs are the ones ``benchmarks/run.py`` builds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402 - the benchmark helpers live beside this script


def cache_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def measure(corpus: "bench.Corpus", repeat: int, jobs: int, base: Path, pkl: Path) -> Dict[str, object]:
    files = [str(p) for p in corpus.paths]
    scratch = Path(tempfile.mkdtemp(prefix="pkl-index-bench-"))
    cache = scratch / "cache"
    common = [f"-j{jobs}", "--isolated"]
    project = ["--pickle-project-root", str(corpus.root), "--pickle-cache-dir", str(cache)]
    commands = {
        "without": ([str(bench.venv_bin(base, "flake8")), *common], bench.clean_env(base)),
        "off": ([str(bench.venv_bin(pkl, "flake8")), *common, "--pickle-project-root", "off"], bench.clean_env(pkl)),
        "cold": ([str(bench.venv_bin(pkl, "flake8")), *common, *project], bench.clean_env(pkl)),
        "warm": ([str(bench.venv_bin(pkl, "flake8")), *common, *project], bench.clean_env(pkl)),
    }
    times: Dict[str, List[float]] = {key: [] for key in commands}
    cpus: Dict[str, List[float]] = {key: [] for key in commands}
    outputs: Dict[str, str] = {}
    for key, (command, env) in commands.items():  # one untimed warm-up each (page cache, bytecode)
        bench.run_timed(command + files[:20], env)
    size = 0
    for rep in range(repeat):
        order = list(commands) if rep % 2 == 0 else list(reversed(commands))
        if order.index("cold") > order.index("warm"):
            order.remove("cold")
            order.insert(order.index("warm"), "cold")  # warm always follows a cold run
        for key in order:
            command, env = commands[key]
            if key == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            spent, cpu, proc = bench.run_timed(command + files, env)
            if proc.returncode not in (0, 1) or "failed during execution" in proc.stderr:
                raise SystemExit(f"flake8 ({key}) failed on {corpus.name}:\n{proc.stderr[-3000:]}")
            times[key].append(spent)
            cpus[key].append(cpu)
            outputs.setdefault(key, proc.stdout)
            if key == "cold":
                size = cache_size(cache)
            bench.log(f"  pass {rep + 1}/{repeat} {corpus.name} {key}: {spent:.2f}s wall, {cpu:.2f}s cpu")
    shutil.rmtree(scratch, ignore_errors=True)
    best = {key: min(values) for key, values in times.items()}
    best_cpu = {key: min(values) for key, values in cpus.items()}
    pkl_lines = {key: sum(1 for line in outputs[key].splitlines() if ": PKL" in line) for key in ("off", "cold", "warm")}
    return {
        "corpus": corpus.name,
        "version": corpus.version,
        "files": len(files),
        "seconds": best,
        "ratio": {key: best[key] / best["without"] for key in best},
        # User + system seconds of flake8 and its children: steadier than wall time on a shared
        # machine, whose other jobs stretch the wall clock of every row unevenly.
        "cpu_seconds": best_cpu,
        "cpu_ratio": {key: best_cpu[key] / best_cpu["without"] for key in best_cpu},
        "cache_bytes": size,
        "pkl_findings": pkl_lines,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="django,distributed")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--json")
    args = parser.parse_args()
    core = [f"{name}=={bench.dist_version(name)}" for name in bench.FLAKE8_CORE]
    libcst = bench.dist_version("libcst")
    base, pkl = bench.CACHE / "venv-base", bench.CACHE / "venv-pkl"
    bench.ensure_venv(base, core, None)
    bench.ensure_venv(pkl, core + ([f"libcst=={libcst}"] if libcst else []), bench.REPO)
    results = [measure(bench.load_corpus(name), args.repeat, args.jobs, base, pkl) for name in args.corpus.split(",")]
    print("| corpus | files | clock | without | off | cold | warm | cache |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        for clock, seconds, ratio in (("wall", r["seconds"], r["ratio"]), ("cpu", r["cpu_seconds"], r["cpu_ratio"])):
            print(
                f"| {r['corpus']} {r['version']} | {r['files']} | {clock} | {seconds['without']:.2f}s "  # type: ignore[index]
                f"| {ratio['off']:.3f}x | {ratio['cold']:.3f}x | {ratio['warm']:.3f}x "  # type: ignore[index]
                f"| {r['cache_bytes'] / 1e6:.1f} MB |"
            )
    for r in results:
        print(f"{r['corpus']}: PKL lines reported {r['pkl_findings']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
