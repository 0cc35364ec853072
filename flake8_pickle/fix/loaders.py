"""PKL101/PKL102 on loaders that have a safe mode: ``torch.load``, ``yaml.load``, ``numpy.load``.

All three rewrites are unsafe: data that really holds pickled objects (or
arbitrary YAML tags) now raises an error instead of loading. Every other loader
has no drop-in safe twin and is left for a person.
"""

from __future__ import annotations

import ast
import re
from typing import List, Optional, Sequence, Tuple, Union

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import PositionProvider

from ..catalog.yaml_loaders import UNSAFE_YAML_LOADERS
from ..findings import Finding
from .base import UNSAFE, Decline, FixCodemod, FixFacts, Plan

_LOADER_IN_MESSAGE = {
    "PKL102": re.compile(r"^PKL102 (?P<loader>\S+) on data"),
    "PKL101": re.compile(r" reaches (?P<loader>[\w.]+)"),
}
#: PyYAML loaders that build arbitrary Python objects (or did, before 5.4 for FullLoader): the
#: catalogue's, without ruamel's (whose fix is not a ``SafeLoader`` of PyYAML).
_UNSAFE_YAML_LOADERS = frozenset(name for name in UNSAFE_YAML_LOADERS if name.startswith("yaml."))

Target = Tuple[int, int, int, int]


class Refusal(str):
    """Returned by ``check``: why the call is left alone."""


def loader_of(finding: Finding) -> Optional[str]:
    """The loader a PKL101/PKL102 message names (``torch.load``), if any."""
    pattern = _LOADER_IN_MESSAGE.get(finding.code)
    match = pattern.search(finding.message) if pattern else None
    return match.group("loader") if match else None


def _call_at(finding: Finding, facts: FixFacts, attribute: str) -> Optional[ast.Call]:
    """The call reported by ``finding``: the one named ``attribute``, else the innermost one there."""
    candidates = [
        node
        for node in ast.walk(facts.tree)
        if isinstance(node, ast.Call) and node.lineno == finding.line and node.col_offset == finding.col
    ]
    for node in candidates:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name == attribute:
            return node
    if not candidates:
        return None
    return min(candidates, key=lambda n: ((n.end_lineno or 0), (n.end_col_offset or 0)))


def _target(call: ast.Call, facts: FixFacts) -> Target:
    end_line = call.end_lineno or call.lineno
    return (
        call.lineno,
        facts.char_col(call.lineno, call.col_offset),
        end_line,
        facts.char_col(end_line, call.end_col_offset or 0),
    )


def _keyword(call: ast.Call, name: str) -> Optional[ast.keyword]:
    return next((k for k in call.keywords if k.arg == name), None)


def _has_unpacking(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)


class LoaderCallFix(FixCodemod):
    """Base of the loader rewrites: find the reported call, let the subclass decide and rewrite it."""

    CODES = frozenset({"PKL101", "PKL102"})
    SAFETIES = frozenset({UNSAFE})
    METADATA_DEPENDENCIES = (PositionProvider,)
    #: The loader label in messages, and the function's own name.
    LOADERS: Tuple[str, ...] = ()

    @classmethod
    def handles(cls, finding: Finding) -> bool:
        return finding.code in cls.CODES and loader_of(finding) in cls.LOADERS

    @classmethod
    def plan(cls, finding: Finding, facts: FixFacts) -> Union[Plan, Decline]:
        label = loader_of(finding) or ""
        call = _call_at(finding, facts, label.rsplit(".", 1)[-1])
        if call is None:
            return Decline(finding, f"reported away from the {label} call; fix that call by hand")
        if _has_unpacking(call):
            return Decline(finding, "the call unpacks *args or **kwargs")
        problem_or_payload = cls.check(call, facts, label)
        if isinstance(problem_or_payload, Refusal):
            return Decline(finding, str(problem_or_payload))
        return Plan(finding, UNSAFE, target=_target(call, facts), payload=problem_or_payload)

    @classmethod
    def check(cls, call: ast.Call, facts: FixFacts, label: str) -> object:
        """The payload for the rewrite, or a :class:`Refusal` saying why the call is left alone."""
        raise NotImplementedError

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        position = self.get_metadata(PositionProvider, original_node)
        target = (position.start.line, position.start.column, position.end.line, position.end.column)
        plans = self.plans_for(target)
        if not plans:
            return updated_node
        rewritten = self.rewrite(updated_node, plans[0].payload)
        if rewritten is None:
            return updated_node
        self.applied.add(target)
        return rewritten

    def rewrite(self, call: cst.Call, payload: object) -> Optional[cst.Call]:
        """The rewritten call (None: leave it)."""
        raise NotImplementedError


class TorchLoadFix(LoaderCallFix):
    """``torch.load(f)`` -> ``torch.load(f, weights_only=True)``."""

    LOADERS = ("torch.load",)
    DESCRIPTION = "torch.load(...) -> torch.load(..., weights_only=True)"

    @classmethod
    def check(cls, call: ast.Call, facts: FixFacts, label: str) -> object:
        if _keyword(call, "weights_only") is not None:
            return Refusal("weights_only is passed explicitly; change it by hand")
        if _keyword(call, "pickle_module") is not None or len(call.args) > 2:
            return Refusal("a custom pickle_module cannot be combined with weights_only=True")
        return "add"

    def rewrite(self, call: cst.Call, payload: object) -> Optional[cst.Call]:
        return call.with_changes(args=_append_arg(call, _keyword_arg("weights_only", cst.Name("True"))))


class YamlLoadFix(LoaderCallFix):
    """``yaml.load(s[, Loader])`` -> ``yaml.safe_load(s)``; ``load(s)`` -> ``load(s, Loader=yaml.SafeLoader)``."""

    LOADERS = ("yaml.load", "yaml.load_all")
    DESCRIPTION = "yaml.load(...) -> yaml.safe_load(...) (or Loader=yaml.SafeLoader)"

    @classmethod
    def check(cls, call: ast.Call, facts: FixFacts, label: str) -> object:
        others = [k.arg for k in call.keywords if k.arg not in ("stream", "Loader")]
        if others or len(call.args) > 2 or (len(call.args) == 2 and _keyword(call, "Loader")):
            return Refusal("the call passes arguments other than the stream and the Loader")
        loader = call.args[1] if len(call.args) == 2 else getattr(_keyword(call, "Loader"), "value", None)
        if loader is not None:
            names = facts.analysis.resolver.qualified_names(loader)
            if not names or not names <= _UNSAFE_YAML_LOADERS:
                shown = ast.unparse(loader)
                return Refusal(f"Loader={shown} is not a PyYAML loader the fixer knows to replace")
        if isinstance(call.func, ast.Attribute):
            return "rename"
        return "loader"

    def rewrite(self, call: cst.Call, payload: object) -> Optional[cst.Call]:
        args = list(call.args)
        index = next(
            (
                i
                for i, arg in enumerate(args)
                if (arg.keyword is not None and arg.keyword.value == "Loader") or (arg.keyword is None and i == 1)
            ),
            None,
        )
        if payload == "rename":
            func = call.func
            assert isinstance(func, cst.Attribute)
            new_name = "safe_load_all" if func.attr.value == "load_all" else "safe_load"
            if index is not None:
                args = _remove_arg(args, index, call)
            return call.with_changes(func=func.with_changes(attr=cst.Name(new_name)), args=args)
        AddImportsVisitor.add_needed_import(self.context, "yaml")
        safe = cst.parse_expression("yaml.SafeLoader")
        if index is not None:
            args[index] = args[index].with_changes(value=safe)
            return call.with_changes(args=args)
        return call.with_changes(args=_append_arg(call, _keyword_arg("Loader", safe)))


class NumpyLoadFix(LoaderCallFix):
    """``numpy.load(f, allow_pickle=True)`` -> ``numpy.load(f)``."""

    LOADERS = ("numpy.load",)
    DESCRIPTION = "numpy.load(..., allow_pickle=True) -> numpy.load(...)"

    @classmethod
    def check(cls, call: ast.Call, facts: FixFacts, label: str) -> object:
        keyword = _keyword(call, "allow_pickle")
        if keyword is None:
            return Refusal("allow_pickle is passed by position; change it by hand")
        if not (isinstance(keyword.value, ast.Constant) and keyword.value.value is True):
            return Refusal("allow_pickle is computed; change it by hand")
        return "drop"

    def rewrite(self, call: cst.Call, payload: object) -> Optional[cst.Call]:
        args = list(call.args)
        index = next(
            (i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == "allow_pickle"), None
        )
        if index is None:
            return None
        return call.with_changes(args=_remove_arg(args, index, call))


# --------------------------------------------------------------------------- argument-list editing


def _keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )


def _has_comma(arg: cst.Arg) -> bool:
    return isinstance(arg.comma, cst.Comma)


def _append_arg(call: cst.Call, new: cst.Arg) -> List[cst.Arg]:
    """``call``'s arguments plus ``new`` at the end, keeping a trailing-comma, one-per-line layout."""
    args = list(call.args)
    if not args:
        return [new]
    last = args[-1]
    if _has_comma(last):
        # Trailing comma: the new argument takes the last comma (and the line break before ``)``),
        # the old last one takes the separator used between arguments.
        separator = args[-2].comma if len(args) >= 2 and _has_comma(args[-2]) else cst.Comma(
            whitespace_after=call.whitespace_before_args
        )
        args[-1] = last.with_changes(comma=separator)
        args.append(new.with_changes(comma=last.comma))
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(new)
    return args


def _remove_arg(args: Sequence[cst.Arg], index: int, call: cst.Call) -> List[cst.Arg]:
    """``args`` without the one at ``index``; removing the last moves its comma (or none) to the new last."""
    out = list(args)
    removed = out.pop(index)
    if index == len(out) and out:
        comma = removed.comma if _has_comma(removed) else cst.MaybeSentinel.DEFAULT
        out[-1] = out[-1].with_changes(comma=comma)
    return out
