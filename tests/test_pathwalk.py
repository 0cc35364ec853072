"""The one path interpreter (``flake8_pickle.pathwalk``) on a small domain of its own: a path is the
tuple of conditions (source text, with ``not`` for the false branch) that lead to it. Each test
states which conditions reach which ``return`` or ``raise``."""

import ast
import sys
import textwrap
from typing import List, Tuple

import pytest

from flake8_pickle.pathwalk import GiveUp, PathInterpreter, irrefutable

Path = Tuple[str, ...]


class Conditions(PathInterpreter[Path, None]):
    def __init__(self) -> None:
        super().__init__()
        self.ends: List[Tuple[str, Path]] = []

    def split(self, paths: List[Path], test: ast.expr) -> Tuple[List[Path], List[Path]]:
        text = ast.unparse(test)
        return [p + (text,) for p in paths], [p + (f"not {text}",) for p in paths]

    def case_entry(self, subject, pattern, missed, path):
        shown = [f"not {ast.unparse(m)}" for m in missed]
        if pattern is not None:
            shown.append(ast.unparse(pattern))
        return path + tuple(shown)

    def returned(self, path: Path, statement: ast.Return, mode: None) -> None:
        self.ends.append((f"return {ast.unparse(statement.value)}" if statement.value else "return", path))

    def raised(self, path: Path, statement: ast.stmt, mode: None) -> None:
        self.ends.append(("raise", path))


def ends_of(source: str) -> Tuple[List[Tuple[str, Path]], List[Path]]:
    function = ast.parse(textwrap.dedent(source)).body[0]
    walk = Conditions()
    fell_off = walk.walk(function.body, [()], None)  # type: ignore[attr-defined]
    return walk.ends, fell_off


def test_elif_chain_and_fall_through():
    ends, fell_off = ends_of(
        """
        def f(x):
            if x == 1:
                return "one"
            elif x == 2:
                raise ValueError
            log(x)
        """
    )
    assert ends == [("return 'one'", ("x == 1",)), ("raise", ("not x == 1", "x == 2"))]
    assert fell_off == [("not x == 1", "not x == 2")]


def test_long_elif_chain_is_followed_without_deep_recursion():
    branches = "".join(f"    elif x == {i}:\n        return {i}\n" for i in range(1, 400))
    source = "def f(x):\n    if x == 0:\n        return 0\n" + branches
    walk = Conditions()
    walk.max_paths = walk.max_work = 10**6
    walk.walk(ast.parse(source).body[0].body, [()], None)  # type: ignore[attr-defined]
    assert len(walk.ends) == 400


def test_loop_break_else_and_continue():
    ends, fell_off = ends_of(
        """
        def f(items):
            for item in items:
                if item:
                    break
                continue
            else:
                return "none"
            return "found"
        """
    )
    # The body is walked once: the path that breaks goes past the else; the ones that continue
    # (or finish the body) and the one that skips the loop run the else.
    assert ends == [("return 'none'", ("not item",)), ("return 'none'", ()), ("return 'found'", ("item",))]
    assert fell_off == []


def test_while_splits_on_its_test():
    ends, _ = ends_of(
        """
        def f(n):
            while n:
                return "entered"
            return "skipped"
        """
    )
    assert ends == [("return 'entered'", ("n",)), ("return 'skipped'", ("not n",))]


def test_try_handlers_start_from_the_entering_paths_and_finally_runs_after():
    ends, fell_off = ends_of(
        """
        def f(a, b):
            if a:
                pass
            try:
                if b:
                    return 1
            except KeyError:
                raise
            else:
                pass
            finally:
                cleanup()
        """
    )
    assert ends == [
        ("return 1", ("a", "b")),
        ("return 1", ("not a", "b")),
        ("raise", ("a",)),
        ("raise", ("not a",)),
    ]
    assert fell_off == [("a", "not b"), ("not a", "not b")]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_match_cases_guards_and_irrefutable_case():
    ends, fell_off = ends_of(
        """
        def f(x):
            match x:
                case 1:
                    return "one"
                case [a, b] if a:
                    return "pair"
                case _:
                    return "other"
        """
    )
    assert ends == [
        ("return 'one'", ("1",)),
        ("return 'pair'", ("not 1", "[a, b]", "a")),
        ("return 'other'", ("not 1", "_")),
    ]
    assert fell_off == []


def test_assert_ends_the_failing_paths():
    ends, fell_off = ends_of(
        """
        def f(x):
            assert x, "x"
            return x
        """
    )
    assert ends == [("raise", ("not x",)), ("return x", ("x",))]
    assert fell_off == []


def test_bounds_give_up():
    source = "def f(x):\n" + "".join(f"    if x == {i}:\n        pass\n" for i in range(12))
    with pytest.raises(GiveUp):  # 2**12 paths
        ends_of(source)
    deep = "def f(x):\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(60)) + "    " * 61 + "pass\n"
    with pytest.raises(GiveUp):
        ends_of(deep)


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_irrefutable_patterns():
    cases = ast.parse("match x:\n case _: pass\n case y: pass\n case (z as w): pass\n case 1: pass\n case [a]: pass")
    patterns = [case.pattern for case in cases.body[0].cases]  # type: ignore[attr-defined]
    assert [irrefutable(p) for p in patterns] == [True, True, True, False, False]
