"""Loader calls found by flake8-pickle (PKL901 inventory) next to bandit and ruff on one tree.

Usage: python scripts/compare_peers.py PATH [--show-diff]

Runs, on the same files: flake8 with only our PKL901 inventory selected;
bandit with its pickle/marshal checks (B301, B302); ruff with S301, S302.
Prints the counts and, with --show-diff, every line one tool reports and
another does not. bandit and ruff must be installed (pip install bandit ruff).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Set, Tuple

Location = Tuple[str, int]
EXCLUDE = "site-packages,__pycache__"


def ours(path: Path) -> Dict[Location, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "PKL901,PKL", "--extend-select", "PKL901",
         "--exclude", EXCLUDE, "--format", "%(path)s\t%(row)d\t%(code)s\t%(text)s", str(path)],
        capture_output=True, text=True,
    )
    if "failed during execution" in proc.stdout:
        raise SystemExit(f"plugin failure:\n{proc.stdout}")
    found: Dict[Location, str] = {}
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[2] == "PKL901":
            found[(str(Path(parts[0]).resolve()), int(parts[1]))] = parts[3]
    return found


def bandit(path: Path) -> Dict[Location, str]:
    exe = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))
    proc = subprocess.run(
        [exe, "-r", "-q", "-f", "json", "-t", "B301,B302", "-x", f"*/{EXCLUDE.split(',')[0]}/*", str(path)],
        capture_output=True, text=True,
    )
    data = json.loads(proc.stdout or "{}")
    return {
        (str(Path(r["filename"]).resolve()), r["line_number"]): f"{r['test_id']} {r['issue_text'][:60]}"
        for r in data.get("results", [])
    }


def ruff(path: Path) -> Dict[Location, str]:
    exe = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    proc = subprocess.run(
        [exe, "check", "--isolated", "--no-cache", "--select", "S301,S302", "--exclude", EXCLUDE,
         "--output-format", "json", str(path)],
        capture_output=True, text=True,
    )
    data = json.loads(proc.stdout or "[]")
    return {
        (str(Path(r["filename"]).resolve()), r["location"]["row"]): f"{r['code']} {r['message'][:60]}" for r in data
        if r.get("code") in ("S301", "S302")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--show-diff", action="store_true")
    args = parser.parse_args()
    results = {"flake8-pickle PKL901": ours(args.path), "bandit B301/B302": bandit(args.path), "ruff S301/S302": ruff(args.path)}
    for name, found in results.items():
        print(f"{name:22} {len(found):5} loader calls in {len({f for f, _ in found})} files")
    if not args.show_diff:
        return
    names = list(results)
    for a in names:
        for b in names:
            if a == b:
                continue
            missing = sorted(set(results[a]) - set(results[b]))
            print(f"\n-- {a} reports, {b} does not ({len(missing)}):")
            for loc in missing:
                print(f"   {loc[0]}:{loc[1]}: {results[a][loc]}")


if __name__ == "__main__":
    main()
