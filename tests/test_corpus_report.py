"""scripts/corpus_report.py on a tiny corpus made here: table counts and the review-file merge.

No network, no bandit or ruff: the corpus is served from a temporary cache (``--offline``) and the
peers are switched off (``--no-peers``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from pathlib import Path
from typing import Dict, List

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "corpus_report.py"


@pytest.fixture(scope="module")
def report():
    spec = importlib.util.spec_from_file_location("corpus_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_report"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("corpus_report", None)


APP = '''\
import pickle

from flask import Flask, request

app = Flask(__name__)


def _decode(blob):
    return pickle.loads(blob)


@app.route("/load", methods=["POST"])
def load_view():
    return pickle.loads(request.data)


@app.route("/via", methods=["POST"])
def via_helper():
    return _decode(request.get_data())
'''

LIB = '''\
import pickle


def load(blob):
    return pickle.loads(blob)


def roundtrip(obj):
    return pickle.loads(pickle.dumps(obj))
'''

BROKEN = "def broken(:\n    pass\n"


def make_corpus(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "app.py").write_text(APP)
    (root / "pkg" / "lib.py").write_text(LIB)
    (root / "pkg" / "broken.py").write_text(BROKEN)
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "ignored.py").write_text("import pickle\npickle.loads(b'')\n")
    return root


def table_dict(report, results) -> List[Dict[str, str]]:
    header, rows = report.build_table(results, peers=False)
    return [dict(zip(header, row)) for row in rows]


def test_table_counts(report, tmp_path):
    root = make_corpus(tmp_path / "demo")
    corpus = report.Corpus("demo", "1.0", root, report.walk_py(root))
    assert corpus.files == ["pkg/app.py", "pkg/broken.py", "pkg/lib.py"]
    result = report.run_analysis(corpus)
    assert [rel for rel, _ in result.not_parsed] == ["pkg/broken.py"]
    assert result.failures == []
    (row,) = table_dict(report, [result])
    assert row["package"] == "demo" and row["version"] == "1.0"
    assert row["files"] == "2" and row["not parsed"] == "1" and row["failed"] == "0"
    assert row["loaders (PKL901)"] == "4"
    assert (row["PKL101"], row["PKL102"], row["PKL103"], row["PKL104"]) == ("2", "1", "0", "0")
    # Only the dumps/loads round trip: the helper's loader is named by the PKL101 at its call site.
    assert row["trusted-silent"] == "1"
    assert "bandit B301+B302" not in row

    # A second package gets a total row; a code only it has gets a column, 0 for the others.
    other = report.CorpusResult(report.Corpus("other", "2.0", root, ["x.py"]))
    other.findings.append(("x.py", report.Finding(3, 0, "PKL301", "PKL301 something")))
    rows = table_dict(report, [result, other])
    assert [r["package"] for r in rows] == ["demo", "other", "total"]
    assert [r["PKL301"] for r in rows] == ["0", "1", "1"]
    assert rows[-1]["files"] == "3" and rows[-1]["PKL101"] == "2"


def test_plugin_failure_is_recorded(report, tmp_path, monkeypatch):
    root = make_corpus(tmp_path / "demo")
    real = report.analyze

    def flaky(tree):
        if any(getattr(node, "name", None) == "roundtrip" for node in getattr(tree, "body", [])):
            raise RuntimeError("boom")
        return real(tree)

    monkeypatch.setattr(report, "analyze", flaky)
    result = report.run_analysis(report.Corpus("demo", "1.0", root, report.walk_py(root)))
    assert [rel for rel, _ in result.failures] == ["pkg/lib.py"]
    assert "RuntimeError: boom" in result.failures[0][1]
    assert {rel for rel, _ in result.findings} == {"pkg/app.py"}


def row(report, package, location, code, verdict="?", message="msg", note=""):
    return report.ReviewRow(package, location, code, message, verdict, note)


def test_merge_keeps_verdicts_marks_new_and_drops_gone(report):
    existing = [
        row(report, "demo", "pkg/app.py:14", "PKL101", "true", "old text", note="request body"),
        row(report, "demo", "pkg/gone.py:3", "PKL102", "false"),
        row(report, "demo", "pkg/lib.py:5", "PKL102", "?"),
        row(report, "elsewhere", "mod.py:1", "PKL103", "debatable"),  # not analysed this run: kept
    ]
    current = [
        row(report, "demo", "pkg/app.py:14", "PKL101", message="new text"),
        row(report, "demo", "pkg/app.py:19", "PKL101"),
        row(report, "demo", "pkg/lib.py:5", "PKL102"),
    ]
    merged, stats = report.merge_review(existing, current, ["demo"], ["demo", "elsewhere"])
    assert [(r.package, r.location, r.code, r.verdict) for r in merged] == [
        ("demo", "pkg/app.py:14", "PKL101", "true"),
        ("demo", "pkg/app.py:19", "PKL101", "?"),
        ("demo", "pkg/lib.py:5", "PKL102", "?"),
        ("elsewhere", "mod.py:1", "PKL103", "debatable"),
    ]
    assert merged[0].message == "new text" and merged[0].note == "request body"
    assert (stats.kept, stats.new, stats.dropped, stats.dropped_reviewed) == (2, 1, 1, 1)


def test_review_file_round_trip_through_main(report, tmp_path, capsys):
    cache = tmp_path / "cache"
    root = make_corpus(cache / "corpora" / "demo")
    (root / report.MARKER).write_text(json.dumps({"spec": "demo", "wheel": "demo-1.0-py3-none-any.whl",
                                                  "version": "1.0"}))
    review = tmp_path / "review" / "findings.tsv"
    args = ["--corpus", "demo", "--offline", "--no-peers", "--jobs", "1", "--cache", str(cache),
            "--findings", str(review)]

    assert report.main(args) == 0
    first = capsys.readouterr().out
    lines = [line.split("\t") for line in review.read_text().splitlines() if not line.startswith("#")]
    assert [(c[0], c[1], c[2], c[4]) for c in lines] == [
        ("demo", "pkg/app.py:14", "PKL101", "?"),
        ("demo", "pkg/app.py:19", "PKL101", "?"),
        ("demo", "pkg/lib.py:5", "PKL102", "?"),
    ]
    assert lines[0][3].startswith("untrusted data from request.data (line 14)")
    assert "3 new (verdict ?)" in first

    # Review two findings, add a stale one; then the code changes: lib.py's loader disappears.
    text = review.read_text()
    text = text.replace("\t?\n", "\ttrue\tproven\n", 1)
    text += "demo\tpkg/old.py:1\tPKL101\tstale finding\tfalse\n"
    review.write_text(text)
    (root / "pkg" / "lib.py").write_text("def load(blob):\n    return blob\n")

    assert report.main(args) == 0
    second = capsys.readouterr().out
    lines = [line.split("\t") for line in review.read_text().splitlines() if not line.startswith("#")]
    assert [c[:3] + c[4:] for c in lines] == [
        ["demo", "pkg/app.py:14", "PKL101", "true", "proven"],
        ["demo", "pkg/app.py:19", "PKL101", "?"],
    ]
    assert "2 kept their verdict, 0 new (verdict ?), 2 no longer reported and dropped (1 of them had a verdict)" \
        in second
    # Totals per code and verdict.
    totals = [line.split() for line in second.splitlines() if line.startswith("PKL101")]
    assert totals[-1] == ["PKL101", "2", "1", "0", "0", "1"]


def test_bad_verdict_is_refused(report, tmp_path):
    review = tmp_path / "findings.tsv"
    review.write_text("demo\tpkg/app.py:14\tPKL101\tmessage\tmaybe\n")
    with pytest.raises(report.ReviewError, match="maybe"):
        report.read_review(review)


def test_failure_makes_exit_status_1(report, tmp_path, monkeypatch, capsys):
    cache = tmp_path / "cache"
    root = make_corpus(cache / "corpora" / "demo")
    (root / report.MARKER).write_text(json.dumps({"version": "1.0"}))

    def broken(tree):
        raise ValueError("analysis bug")

    monkeypatch.setattr(report, "analyze", broken)
    assert report.main(["--corpus", "demo", "--offline", "--no-peers", "--jobs", "1", "--cache", str(cache)]) == 1
    out = capsys.readouterr().out
    assert "PLUGIN FAILURES (2)" in out and "pkg/app.py: ValueError: analysis bug" in out


def test_offline_unpacks_a_cached_wheel_and_skips_missing(report, tmp_path, capsys):
    cache = tmp_path / "cache"
    (cache / "wheels").mkdir(parents=True)
    with zipfile.ZipFile(cache / "wheels" / "demo_pkg-0.9-py3-none-any.whl", "w") as zf:
        zf.writestr("demo_pkg/__init__.py", LIB)
        zf.writestr("demo_pkg-0.9.dist-info/METADATA", "Name: demo-pkg\n")
    corpus = report.wheel_corpus("Demo.Pkg", offline=True, cache=cache)
    assert (corpus.name, corpus.version, corpus.files) == ("demo-pkg", "0.9", ["demo_pkg/__init__.py"])
    assert json.loads((cache / "corpora" / "demo-pkg" / report.MARKER).read_text())["version"] == "0.9"
    assert report.wheel_corpus("absent", offline=True, cache=cache) is None

    assert report.main(["--corpus", "demo-pkg,absent", "--offline", "--no-peers", "--jobs", "1",
                        "--cache", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "Not cached, left out: absent" in out
    assert "demo-pkg" in out
