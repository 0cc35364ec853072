"""Properties of the fixer over whole corpora, its self-check, and its registry.

On every fixture file (tests/fixtures and tests/fixtures_fix), with and without
``--unsafe-fixes``: fixing twice is a fixed point, and a file with nothing fixed
comes back byte-identical. The same properties on the unpacked wheels of Django
and Celery are a separate, slower run (``scripts/fix_corpus_property.py``), not
part of this suite.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, List

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings

from flake8_pickle.fix import engine
from flake8_pickle.fix.base import SAFE, UNSAFE
from flake8_pickle.fix.engine import DECLINED, FIXED, NO_FIX, Options, fix_bytes, fix_text
from flake8_pickle.fix.getstate_drop import GetstateDropFix
from flake8_pickle.fix.registry import CODEMODS
from flake8_pickle.fix.resource_state import ResourceStateFix
from flake8_pickle.fix.source import LineMap, decode, noqa_silences
from flake8_pickle.rules import FIX_MIXED, FIX_NONE, FIX_SAFE, FIX_UNSAFE, RULES

TESTS = Path(__file__).parent
CORPUS = sorted([*(TESTS / "fixtures").rglob("*.py"), *(TESTS / "fixtures_fix").glob("*.py")])
LOCK_BEFORE = (TESTS / "fixtures_fix" / "pkl301_lock_before.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_fix_twice_is_a_fixed_point(path: Path, unsafe: bool) -> None:
    options = Options(unsafe_fixes=unsafe)
    data = path.read_bytes()
    first = fix_bytes(data, options, str(path))
    assert first.error is None, first.error
    if not any(o.status == FIXED for o in first.outcomes):
        assert first.fixed == data
    second = fix_bytes(first.fixed, options, str(path))
    assert second.fixed == first.fixed
    assert not any(o.status == FIXED for o in second.outcomes)


def test_corpus_has_files_with_and_without_fixes() -> None:
    """The fixed-point test above is not vacuous: its corpus holds files the fixer changes and files
    it leaves alone (the search stops at the first of each)."""
    seen = set()
    for path in CORPUS:
        seen.add(fix_bytes(path.read_bytes(), Options(unsafe_fixes=True)).changed)
        if seen == {True, False}:
            break
    assert seen == {True, False}


# --------------------------------------------------------------------------- the self-check


class _NoOpFix(ResourceStateFix):
    """Claims to fix PKL301 but only adds an unrelated method: the finding stays."""

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        plans = self.plans_for(self.current_key)
        if not plans or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        self.applied.add(plans[0].target)
        extra = cst.parse_statement("def unrelated(self):\n    return None\n")
        return updated_node.with_changes(body=updated_node.body.with_changes(body=[*updated_node.body.body, extra]))


class _NewFindingFix(ResourceStateFix):
    """Fixes PKL301 but also adds a ``__reduce__`` returning a 1-tuple (a new PKL306)."""

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        updated = super().leave_ClassDef(original_node, updated_node)
        if updated is updated_node:
            return updated
        extra = cst.parse_statement("def __reduce_ex__(self, protocol):\n    return (dict,)\n")
        assert isinstance(updated.body, cst.IndentedBlock)
        return updated.with_changes(body=updated.body.with_changes(body=[*updated.body.body, extra]))


@pytest.mark.parametrize("codemod", [_NoOpFix, _NewFindingFix])
def test_a_rewrite_the_analysis_does_not_confirm_is_not_kept(monkeypatch: pytest.MonkeyPatch, codemod) -> None:
    monkeypatch.setattr(engine, "CODEMODS", (codemod,))
    text, outcomes = fix_text(LOCK_BEFORE)
    assert text == LOCK_BEFORE
    fixable = [o for o in outcomes if o.status != NO_FIX]
    assert [o.status for o in fixable] == [DECLINED]
    assert "left unchanged" in fixable[0].reason


def test_the_real_fix_passes_the_same_check() -> None:
    text, outcomes = fix_text(LOCK_BEFORE)
    assert text != LOCK_BEFORE and [o.status for o in outcomes if o.status != NO_FIX] == [FIXED]


# --------------------------------------------------------------------------- registry


def test_codemod_safeties_match_the_registry() -> None:
    expected = {FIX_SAFE: {SAFE}, FIX_UNSAFE: {UNSAFE}, FIX_MIXED: {SAFE, UNSAFE}}
    for codemod in CODEMODS:
        assert codemod.CODES, codemod
        assert codemod.SAFETIES, codemod
        for code in codemod.CODES:
            rule = RULES[code]
            assert rule.fix_safety != FIX_NONE, f"{code} has a codemod but the registry says no fix"
            if rule.fix_safety == FIX_MIXED:
                # The codemod for a mixed rule must be able to produce both.
                assert set(codemod.SAFETIES) == expected[FIX_MIXED], (codemod, code)
            else:
                assert set(codemod.SAFETIES) <= expected[rule.fix_safety], (codemod, code)


def test_codemods_run_in_a_stable_order_one_class_each() -> None:
    assert len(set(CODEMODS)) == len(CODEMODS)
    names: List[str] = [c.__name__ for c in CODEMODS]
    assert names.index("GetstateCopyFix") < names.index("ResourceStateFix")


# --------------------------------------------------------------------------- small units


@pytest.mark.parametrize(
    "line,code,silenced",
    [
        ("x = 1  # noqa", "PKL301", True),
        ("x = 1  # noqa:PKL301", "PKL301", True),
        ("x = 1  # noqa: PKL3", "PKL301", True),
        ("x = 1  # NoQA: E501, PKL301", "PKL301", True),
        ("x = 1  # noqa: PKL302", "PKL301", False),
        ("x = 1  # noqa: E501", "PKL301", False),
        ("x = 1", "PKL301", False),
    ],
)
def test_noqa(line: str, code: str, silenced: bool) -> None:
    assert noqa_silences(line, code) is silenced


def test_line_map_points_back_to_unchanged_lines() -> None:
    original = ["a", "b", "c", "d"]
    current = ["new", "a", "b", "x", "y", "c", "d"]
    line_map = LineMap(original, current)
    assert [line_map.original_line(n) for n in (2, 3, 6, 7)] == [1, 2, 3, 4]


def test_decode_round_trips_bytes() -> None:
    for data in (b"\xef\xbb\xbfx = 1\r\n", b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", b"x = 1\n"):
        decoded = decode(data)
        assert decoded.encode(decoded.text) == data


hypothesmith = pytest.importorskip("hypothesmith")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar(auto_target=False))
def test_generated_sources_never_crash_and_are_fixed_points(source: str) -> None:
    data = source.encode("utf-8")
    result = fix_bytes(data, Options(unsafe_fixes=True))
    if result.error is None:
        assert fix_bytes(result.fixed, Options(unsafe_fixes=True)).fixed == result.fixed


# --------------------------------------------------------------------------- imports

BARE_YAML = '''"""Doc."""
from __future__ import annotations

import os
from yaml import load


def f(text):
    return load(text), os.sep
'''


def test_a_missing_import_is_added_once_after_the_existing_imports() -> None:
    text, outcomes = fix_text(BARE_YAML, Options(unsafe_fixes=True))
    assert [o.status for o in outcomes] == [FIXED]
    assert text.count("import yaml\n") == 1
    assert text.index("from yaml import load") < text.index("import yaml\n") < text.index("def f")
    assert "load(text, Loader=yaml.SafeLoader)" in text
    with_import = BARE_YAML.replace("import os\n", "import os\nimport yaml\n")
    fixed, _ = fix_text(with_import, Options(unsafe_fixes=True))
    assert fixed.count("import yaml\n") == 1


def test_no_import_is_added_for_a_recreated_resource() -> None:
    text, _ = fix_text(LOCK_BEFORE)
    assert text.count("import threading\n") == 1


# --------------------------------------------------------------------------- PKL304 units

SOCKET_STATE = '''import queue
import socket


class Client:
    def __init__(self, host):
        self.host = host
        self._sock = socket.socket()
        self._inbox = queue.Queue()

    def __getstate__(self):
        return dict(self.__dict__)
'''


def _run(text: str) -> Dict[str, Any]:
    namespace: Dict[str, Any] = {"__name__": "pkl304_case"}
    exec(compile(text, "<pkl304>", "exec"), namespace)  # noqa: S102 - the fixer's own output
    return namespace


def test_pkl304_unsafe_recreation_is_offered_only_as_the_registry_says(monkeypatch: pytest.MonkeyPatch) -> None:
    declined_text, outcomes = fix_text(SOCKET_STATE, Options(unsafe_fixes=True))
    if UNSAFE not in GetstateDropFix.SAFETIES:
        assert declined_text == SOCKET_STATE
        assert [o.status for o in outcomes] == [DECLINED]
        assert "self._sock cannot be recreated" in outcomes[0].reason
    monkeypatch.setattr(GetstateDropFix, "SAFETIES", frozenset({SAFE, UNSAFE}))
    safe_text, safe_outcomes = fix_text(SOCKET_STATE, Options(unsafe_fixes=False))
    assert safe_text == SOCKET_STATE and [o.status for o in safe_outcomes] == [engine.NEEDS_UNSAFE]
    text, outcomes = fix_text(SOCKET_STATE, Options(unsafe_fixes=True))
    assert [(o.status, o.safety) for o in outcomes] == [(FIXED, UNSAFE)]
    assert 'state.pop("_sock", None)' in text and 'state.pop("_inbox", None)' in text
    assert "self._sock = None\n" in text and "self._inbox = queue.Queue()\n" in text
    client = _run(text)["Client"]("example.org")
    try:
        clone = copy.deepcopy(client)
        assert clone.host == "example.org" and clone._sock is None
        clone._inbox.put(1)
        assert client._inbox.empty()
    finally:
        client._sock.close()
    assert fix_text(text, Options(unsafe_fixes=True))[0] == text


LIVE_STATE = '''import threading


class Table:
    def __init__(self):
        self.rows = []
        self._lock = threading.Lock()

    def __getstate__(self):
        return vars(self)  # the whole instance
'''


def test_pkl304_copies_a_live_dict_before_dropping_from_it() -> None:
    text, outcomes = fix_text(LIVE_STATE)
    assert [(o.status, o.safety) for o in outcomes] == [(FIXED, SAFE)]
    assert "state = vars(self).copy()  # the whole instance\n" in text
    table = _run(text)["Table"]()
    clone = copy.deepcopy(table)
    assert "_lock" in vars(table) and clone._lock is not table._lock
    with clone._lock:
        pass


_LOCKED = '''import copy
import threading


class Base:
    def __setstate__(self, state):
        self.__dict__.update(state)


class C{bases}:
    def __init__(self):
        self._lock = threading.Lock()

    def __getstate__(self):
        {body}
{extra}'''


@pytest.mark.parametrize(
    "bases,body,extra,reason",
    [
        ("", "state = self.__dict__.copy(); return state", "", "shares its line"),
        ("", "return copy.deepcopy(self.__dict__)", "", "deep-copied"),
        (
            "",
            "return self.__dict__.copy()",
            "\n    def __setstate__(self, state):\n        self._lock = state['_lock']\n",
            'reads the "_lock" entry',
        ),
        ("(Base)", "return self.__dict__.copy()", "", "base class Base defines __setstate__"),
        ("(ValueError)", "return self.__dict__.copy()", "", "BaseException.__reduce__"),
        ("", "return self.__dict__.copy()", "\n    def __reduce__(self):\n        return (C, ())\n", "__reduce__"),
    ],
    ids=["semicolon", "deepcopy", "setstate-reads-key", "base-setstate", "exception", "reduce"],
)
def test_pkl304_declines_what_it_cannot_fix_faithfully(bases: str, body: str, extra: str, reason: str) -> None:
    text = _LOCKED.format(bases=bases, body=body, extra=extra)
    fixed, outcomes = fix_text(text, Options(unsafe_fixes=True))
    pkl304 = [o for o in outcomes if o.code == "PKL304"]
    assert fixed == text
    assert [o.status for o in pkl304] == [DECLINED], outcomes
    assert reason in pkl304[0].reason


KEYWORD_EXCEPTION = '''import threading


class ConnectionInterrupted(Exception):
    def __init__(self, connection, parent=None):
        self.connection = connection
        self.lock = threading.Lock()


def raise_it(client):
    raise ConnectionInterrupted(connection=client)
'''


def test_an_exception_whose_args_depend_on_how_it_is_called_is_not_given_a_reduce() -> None:
    """Its ``__init__`` never calls ``BaseException.__init__``: ``args`` is what the construction passed
    positionally, ``()`` for ``ConnectionInterrupted(connection=client)`` (django-redis, probe P), so a
    ``__reduce__`` rebuilding from ``self.args`` would make a pickle that cannot be loaded."""
    text, outcomes = fix_text(KEYWORD_EXCEPTION, Options(unsafe_fixes=True))
    assert text == KEYWORD_EXCEPTION
    assert [o.status for o in outcomes if o.code == "PKL301"] == [DECLINED]
    assert "args depend on how it is called" in [o for o in outcomes if o.code == "PKL301"][0].reason
    error_class = _run(KEYWORD_EXCEPTION)["ConnectionInterrupted"]
    error = error_class(connection="c")
    assert error.args == ()
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        error_class(*error.args)  # what a __reduce__ rebuilding from self.args would run on load
