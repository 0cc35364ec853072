"""Small readers of AST shapes that every part of the engine shares: string literals, call
arguments, parameters, decorators, assignment targets, the statements of a block. Pure functions
of the nodes they are given; no names are resolved here (that is :mod:`flake8_pickle.scope`)."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Sequence, Set

#: Statements after which a block's flow does not go on.
TERMINATORS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def literal_str(node: Optional[ast.AST]) -> Optional[str]:
    """The value of a string literal node, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keyword_arg(call: ast.Call, name: str) -> Optional[ast.expr]:
    """The value passed to keyword ``name`` in ``call``, or None."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def call_argument(call: ast.Call, position: Optional[int], keyword: Optional[str]) -> Optional[ast.expr]:
    """The argument bound to a parameter given by position and/or keyword name."""
    if keyword is not None:
        value = keyword_arg(call, keyword)
        if value is not None:
            return value
    if position is not None and position < len(call.args):
        candidate = call.args[position]
        if not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return candidate
    return None

def block_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of a block in source order, nested blocks included, nested defs excluded."""
    stack: List[ast.stmt] = list(reversed(body))
    while stack:
        statement = stack.pop()
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        children: List[ast.stmt] = []
        for name in ("body", "orelse", "finalbody"):
            children.extend(getattr(statement, name, None) or [])
        for handler in getattr(statement, "handlers", None) or []:
            children.extend(handler.body)
        for case in getattr(statement, "cases", None) or []:
            children.extend(case.body)
        stack.extend(reversed(children))


def is_generator_function(node: ast.AST) -> bool:
    """Whether a def's own body (not nested defs) contains ``yield``."""
    stack: List[ast.AST] = list(getattr(node, "body", []))
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(current))
    return False

def all_args(args: ast.arguments) -> Iterator[ast.arg]:
    yield from getattr(args, "posonlyargs", [])
    yield from args.args
    if args.vararg is not None:
        yield args.vararg
    yield from args.kwonlyargs
    if args.kwarg is not None:
        yield args.kwarg


def default_of(function: ast.AST, name: str) -> Optional[ast.expr]:
    """The default value of parameter ``name`` of a def or lambda, if it has one."""
    args: ast.arguments = function.args  # type: ignore[attr-defined]
    positional = list(getattr(args, "posonlyargs", [])) + list(args.args)
    offset = len(positional) - len(args.defaults)
    for position, arg in enumerate(positional):
        if arg.arg == name:
            return args.defaults[position - offset] if position >= offset else None
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        if arg.arg == name:
            return default
    return None


def positional_parameters(function: ast.AST) -> List[str]:
    """Names of the positional parameters of a def or lambda, in order."""
    args: ast.arguments = function.args  # type: ignore[attr-defined]
    return [a.arg for a in list(getattr(args, "posonlyargs", [])) + list(args.args)]


#: What :func:`decorator_names` gives a decorator that is neither a name nor an attribute.
OTHER_DECORATOR = "<call>"


def decorator_names(node: ast.AST) -> Set[str]:
    """The last name of each decorator of a def or class (``functools.cache`` -> ``cache``), and
    :data:`OTHER_DECORATOR` for any other decorator (a call, a subscript...)."""
    names = set()
    for decorator in getattr(node, "decorator_list", []):
        if isinstance(decorator, ast.Name):
            names.add(decorator.id)
        elif isinstance(decorator, ast.Attribute):
            names.add(decorator.attr)
        else:
            names.add(OTHER_DECORATOR)
    return names


def is_property(node: ast.AST) -> bool:
    """A ``@property`` (or ``@cached_property``) getter: reading the attribute calls it."""
    return bool(decorator_names(node) & {"property", "cached_property"})


def is_staticmethod(node: ast.AST) -> bool:
    return "staticmethod" in decorator_names(node)


def is_classmethod(node: ast.AST) -> bool:
    return "classmethod" in decorator_names(node) or getattr(node, "name", "") in ("__new__", "__init_subclass__", "__class_getitem__")


def target_names(target: ast.AST) -> Iterator[str]:
    """Every name an assignment target binds: ``a``, ``(a, [b, *c])``."""
    stack = [target]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, (ast.Tuple, ast.List)):
            stack.extend(node.elts)
        elif isinstance(node, ast.Starred):
            stack.append(node.value)

def ends_flow(block: Sequence[ast.stmt]) -> bool:
    """Whether a block's last statement leaves it (``return``, ``raise``, ``continue``, ``break``)."""
    return bool(block) and isinstance(block[-1], TERMINATORS)
