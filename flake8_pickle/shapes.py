"""Small readers of AST shapes that every part of the engine shares: string literals, call
arguments, parameters, decorators, assignment targets, the statements of a block. Pure functions
of the nodes they are given; no names are resolved here (that is :mod:`flake8_pickle.scope`)."""

from __future__ import annotations

import ast
import itertools
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

from .catalog.conventions import ACCUMULATING_METHODS

if TYPE_CHECKING:
    from .catalog.handoff import Applier
    from .symbols import LocalDef

_MATCH = getattr(ast, "Match", None)
_TRY_STAR = getattr(ast, "TryStar", None)
#: Nodes whose bodies are other scopes (a walk of one body does not enter them).
NESTED_BODIES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
#: Statements after which a block's flow does not go on.
TERMINATORS = (ast.Return, ast.Raise, ast.Continue, ast.Break)

#: Where a node stands in its source: (line, column, end line, end column).
NodeKey = Tuple[int, int, int, int]


def node_key(node: ast.AST) -> NodeKey:
    """A key for ``node`` that is the same in every walk and every run, and serialises: its
    place in the source. Two nodes of one tree share a place only when one is the other's
    only child (an expression statement and its call); the facts keyed here are keyed by
    nodes of one kind each (functions, classes, calls and attribute reads, generator
    expressions), and no two of one kind share a place. A node without a place (made by
    the analysis, never one of those) is keyed 0."""
    try:
        return (node.lineno, node.col_offset, node.end_lineno or 0, node.end_col_offset or 0)  # type: ignore[attr-defined]
    except AttributeError:
        return (0, 0, 0, 0)


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

def applied_call(call: ast.Call, applier: "Applier") -> Optional[ast.Call]:
    """The call ``applier`` (``call``'s callee) makes of the function it is given, as a call made
    here: ``pickle.loads(body)`` for ``executor.submit(pickle.loads, body)``, ``decode(items[0])``
    for ``map(decode, items)``. None when the function is not visible. The call made is placed at
    the function's expression (a finding points there) and spans to the end of ``call``, so its key
    is no other call's. What a starred argument, or an argument tuple that is not a literal, passes
    is not visible: it is left out (a loader then reads an input it is not given)."""
    position, keyword = applier.function
    if position < 0:
        function = call.func.value if isinstance(call.func, ast.Attribute) else None
    else:
        function = call_argument(call, position, keyword)
    if function is None:
        return None
    args: List[ast.expr] = []
    keywords: List[ast.keyword] = []
    if applier.rest is not None or applier.elements is not None:
        start = applier.rest if applier.rest is not None else applier.elements
        for arg in call.args[start:]:
            if isinstance(arg, ast.Starred):
                break
            if applier.elements is not None:
                arg = ast.copy_location(ast.Subscript(value=arg, slice=ast.Constant(0), ctx=ast.Load()), arg)
            args.append(arg)
        if applier.keywords:
            keywords = [k for k in call.keywords if k.arg is not None and k.arg != keyword]
    if applier.packed is not None:
        packed = call_argument(call, *applier.packed)
        if isinstance(packed, (ast.Tuple, ast.List)):
            args = list(itertools.takewhile(lambda a: not isinstance(a, ast.Starred), packed.elts))
    if applier.packed_keywords is not None:
        named = call_argument(call, *applier.packed_keywords)
        if isinstance(named, ast.Dict):
            for key, value in zip(named.keys, named.values):
                text = literal_str(key)
                if text is not None:
                    keywords.append(ast.keyword(arg=text, value=value))
    if applier.binds and not args:
        return None
    made = ast.Call(func=function, args=args, keywords=keywords)
    made.lineno, made.col_offset = function.lineno, function.col_offset
    made.end_lineno, made.end_col_offset = call.end_lineno, call.end_col_offset
    return made


def module_statements(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of ``body``, and of the ``if``/``try``/``with`` blocks in it (still module level)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith)) or type(node).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                yield from module_statements(getattr(node, field, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                yield from module_statements(handler.body)


def assigned(statement: ast.stmt) -> Optional[Tuple[List[ast.expr], ast.expr]]:
    """(targets, value) of an ``=`` assignment or an annotated one with a value, else None."""
    if isinstance(statement, ast.Assign):
        return statement.targets, statement.value
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return [statement.target], statement.value
    return None


#: The statements that hold blocks of statements (a nested def or class is another scope).
_COMPOUND = frozenset(
    getattr(ast, name) for name in ("If", "For", "AsyncFor", "While", "With", "AsyncWith", "Try", "TryStar", "Match") if hasattr(ast, name)
)


def block_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of a block in source order, nested blocks included, nested defs excluded."""
    stack: List[ast.stmt] = list(reversed(body))
    while stack:
        statement = stack.pop()
        yield statement
        if type(statement) not in _COMPOUND:
            continue
        children: List[ast.stmt] = []
        for name in ("body", "orelse", "finalbody"):
            children.extend(getattr(statement, name, None) or [])
        for handler in getattr(statement, "handlers", None) or []:
            children.extend(handler.body)
        for case in getattr(statement, "cases", None) or []:
            children.extend(case.body)
        stack.extend(reversed(children))


def breaks_out(body: Sequence[ast.stmt]) -> bool:
    """Whether a loop with this body may leave it through a ``break`` of its own (not of a nested loop)."""
    stack: List[ast.stmt] = list(body)
    while stack:
        statement = stack.pop()
        if isinstance(statement, ast.Break):
            return True
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            stack.extend(statement.orelse)  # a nested loop's ``else`` breaks out of this one
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            stack.extend(getattr(statement, name, None) or [])
        for part in (getattr(statement, "handlers", None) or []) + (getattr(statement, "cases", None) or []):
            stack.extend(part.body)
    return False


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


def positional_args(args: ast.arguments) -> List[ast.arg]:
    """The positional parameters, positional-only ones first (the answer may be ``args.args``
    itself: do not modify it)."""
    return args.posonlyargs + args.args if args.posonlyargs else args.args


def default_of(function: ast.AST, name: str) -> Optional[ast.expr]:
    """The default value of parameter ``name`` of a def or lambda, if it has one."""
    return parameter_defaults(function.args).get(name)  # type: ignore[attr-defined]


def parameter_defaults(args: ast.arguments) -> Dict[str, ast.expr]:
    """Each parameter that has a default, with its default value."""
    out: Dict[str, ast.expr] = {}
    if args.defaults:
        positional = positional_args(args)
        for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults):
            out[arg.arg] = default
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        if kw_default is not None:
            out[arg.arg] = kw_default
    return out


def positional_parameters(function: ast.AST) -> List[str]:
    """Names of the positional parameters of a def or lambda, in order."""
    args: ast.arguments = function.args  # type: ignore[attr-defined]
    return [a.arg for a in positional_args(args)]


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


def is_bound_task(node: ast.AST) -> bool:
    """A task queue's bound task (``@app.task(bind=True)``, ``@shared_task(bind=True)``): every call of
    it, direct or queued (``restore.delay(blob)``), passes the task itself as the first argument."""
    return any(
        isinstance(decorator, ast.Call)
        and any(k.arg == "bind" and isinstance(k.value, ast.Constant) and k.value.value is True for k in decorator.keywords)
        for decorator in getattr(node, "decorator_list", ())
    )


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


def names_read_and_stored(node: ast.AST) -> Tuple[Set[str], Set[str]]:
    """Names a simple statement (or an expression) reads and names it stores.

    A mutating method call stores its receiver. A read that only feeds the same name's own
    update (``x = x + y``, ``x += y``, ``x.append(y)``) is not counted: one pass of the loop
    body already gives such a name every value it can take.
    """
    loads: Set[str] = set()
    stores: Set[str] = set()
    own: Set[int] = set()
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        own.update(id(n) for n in ast.walk(node.value) if isinstance(n, ast.Name) and n.id == node.targets[0].id)
    elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        stores.add(node.target.id)
        node = node.value
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            if isinstance(current.ctx, ast.Store):
                stores.add(current.id)
            elif id(current) not in own:
                loads.add(current.id)
            continue
        if isinstance(current, NESTED_BODIES):
            name = getattr(current, "name", None)
            if name:
                stores.add(name)
            continue
        if (
            isinstance(current, ast.Call)
            and isinstance(current.func, ast.Attribute)
            and current.func.attr in ACCUMULATING_METHODS
            and isinstance(current.func.value, ast.Name)
        ):
            stores.add(current.func.value.id)
            own.add(id(current.func.value))
        elif isinstance(current, ast.Subscript) and isinstance(current.ctx, ast.Store) and isinstance(current.value, ast.Name):
            stores.add(current.value.id)
            own.add(id(current.value))
        stack.extend(ast.iter_child_nodes(current))
    return loads, stores


def name_events(statements: Sequence[ast.AST], events: List[Tuple[Set[str], Set[str]]]) -> None:
    """(reads, stores) of ``statements`` in execution order, compound statements opened up."""
    for statement in statements:
        if isinstance(statement, (ast.For, ast.AsyncFor)):
            events.append(names_read_and_stored(statement.iter))
            events.append(names_read_and_stored(statement.target))
            name_events(statement.body, events)
            name_events(statement.orelse, events)
        elif isinstance(statement, (ast.While, ast.If)):
            events.append(names_read_and_stored(statement.test))
            name_events(statement.body, events)
            name_events(statement.orelse, events)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                events.append(names_read_and_stored(item.context_expr))
                if item.optional_vars is not None:
                    events.append(names_read_and_stored(item.optional_vars))
            name_events(statement.body, events)
        elif isinstance(statement, ast.Try) or (_TRY_STAR is not None and isinstance(statement, _TRY_STAR)):
            name_events(statement.body, events)  # type: ignore[attr-defined]
            for handler in statement.handlers:  # type: ignore[attr-defined]
                name_events(handler.body, events)
            name_events(statement.orelse, events)  # type: ignore[attr-defined]
            name_events(statement.finalbody, events)  # type: ignore[attr-defined]
        elif _MATCH is not None and isinstance(statement, _MATCH):
            events.append(names_read_and_stored(statement.subject))  # type: ignore[attr-defined]
            for case in statement.cases:  # type: ignore[attr-defined]
                events.append(names_read_and_stored(case.pattern))
                name_events(case.body, events)
        else:
            events.append(names_read_and_stored(statement))


def carried_names(node: Union[ast.For, ast.AsyncFor, ast.While]) -> FrozenSet[str]:
    """Names a loop reads before it rebinds them: their value crosses the back edge."""
    events: List[Tuple[Set[str], Set[str]]] = []
    if isinstance(node, ast.While):
        events.append(names_read_and_stored(node.test))
    name_events(node.body, events)
    read: Set[str] = set()
    carried: Set[str] = set()
    for loads, stores in events:
        read |= loads
        carried |= stores & read
    return frozenset(carried)


def literal_rows(target: ast.AST, iterable: ast.AST) -> Optional[List[List[ast.expr]]]:
    """For ``for a, b in [(x, y), (z, w)]``: the columns ``[[x, z], [y, w]]``, else None."""
    if not isinstance(target, (ast.Tuple, ast.List)) or not isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
        return None
    width = len(target.elts)
    if not iterable.elts or any(isinstance(e, ast.Starred) for e in target.elts):
        return None
    columns: List[List[ast.expr]] = [[] for _ in range(width)]
    for row in iterable.elts:
        if not isinstance(row, (ast.Tuple, ast.List)) or len(row.elts) != width:
            return None
        if any(isinstance(cell, ast.Starred) for cell in row.elts):
            return None
        for index, cell in enumerate(row.elts):
            columns[index].append(cell)
    return columns


def stores_on_self(function: ast.AST) -> bool:
    """Whether a method's statements assign an attribute of its first parameter (``self.x = ...``)."""
    params = positional_parameters(function)
    if not params:
        return False
    first = params[0]
    stack: List[ast.AST] = list(getattr(function, "body", []))
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = current.targets if isinstance(current, ast.Assign) else [current.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == first:
                    return True
        if isinstance(current, NESTED_BODIES):
            continue
        stack.extend(child for child in ast.iter_child_nodes(current) if isinstance(child, ast.stmt))
    return False


def stored_parameters(init: ast.AST) -> Dict[str, List[str]]:
    """``self.conn = conn`` in an ``__init__``: each parameter -> the ``self`` attributes it is stored in."""
    params = set(positional_parameters(init)[1:])
    out: Dict[str, List[str]] = {}
    for node in block_statements(getattr(init, "body", [])):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
            and isinstance(value, ast.Name)
            and value.id in params
        ):
            out.setdefault(value.id, []).append(target.attr)
    return out


def own_nodes(function: ast.AST) -> List[ast.AST]:
    """The nodes of ``function``'s body, not those of functions, lambdas or classes defined inside it."""
    out: List[ast.AST] = []
    stack: List[ast.AST] = list(getattr(function, "body", []))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(
            c for c in ast.iter_child_nodes(node) if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
        )
    return out


def bound_names(function: ast.AST) -> Set[str]:
    """The names ``function``'s own scope binds: its parameters and every name its body stores,
    imports, defines or catches (nested functions and classes are other scopes)."""
    return _own_scope(function, False)  # type: ignore[return-value]


def bound_names_unless_generator(function: ast.AST) -> Optional[Set[str]]:
    """:func:`bound_names`, or None when ``function`` is a generator (:func:`is_generator_function`):
    one walk for both."""
    return _own_scope(function, True)


def _own_scope(function: ast.AST, generators: bool) -> Optional[Set[str]]:
    local = {arg.arg for arg in all_args(function.args)}  # type: ignore[attr-defined]
    stack: List[ast.AST] = list(function.body)  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                local.add(node.id)  # type: ignore[attr-defined]
            continue  # a name has no children but its context
        if kind in _LEAVES:
            continue
        if kind in _NEW_SCOPES:
            local.add(node.name)  # type: ignore[attr-defined]
            continue
        if kind is ast.Lambda:
            continue
        if generators and kind in _YIELDS:
            return None
        if kind in _IMPORTS:
            local.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif kind is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
            local.add(node.name)  # type: ignore[attr-defined]
        elif kind in _MATCH_NAMES and getattr(node, "name", None):
            local.add(node.name)  # type: ignore[attr-defined]
        elif kind in _MATCH_REST and getattr(node, "rest", None):
            local.add(node.rest)  # type: ignore[attr-defined]
        stack.extend(ast.iter_child_nodes(node))
    return local


_NEW_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_YIELDS = frozenset({ast.Yield, ast.YieldFrom})
_IMPORTS = frozenset({ast.Import, ast.ImportFrom})
#: Nodes without a child that can bind or yield.
_LEAVES = frozenset({ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal})
_MATCH_NAMES = frozenset(getattr(ast, name) for name in ("MatchAs", "MatchStar") if hasattr(ast, name))
_MATCH_REST = frozenset(getattr(ast, name) for name in ("MatchMapping",) if hasattr(ast, name))


#: Methods that put their last argument into a container (``PLUGINS.append(fn)``, ``REG.setdefault(k, fn)``).
_FILLING_METHODS = frozenset({"append", "add", "setdefault", "insert"})


def registry_stores(function: ast.AST) -> List[Tuple[str, int]]:
    """``(container, parameter index)`` for each store of one of ``function``'s own parameters into
    a container it does not bind itself, a registry of the module: ``HANDLERS[name] = fn``,
    ``PLUGINS.append(fn)``, ``REGISTRY.setdefault(name, fn)`` (``self`` counts as a parameter)."""
    params = positional_parameters(function)
    local = bound_names(function) - set(params)
    out: List[Tuple[str, int]] = []
    for node in own_nodes(function):
        stored: List[Tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.Assign):
            stored = [(t.value, node.value) for t in node.targets if isinstance(t, ast.Subscript)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _FILLING_METHODS and node.args:
            stored = [(node.func.value, node.args[-1])]
        for container, value in stored:
            if isinstance(container, ast.Name) and container.id not in local and isinstance(value, ast.Name) and value.id in params:
                out.append((container.id, params.index(value.id)))
    return out


def returned_functions(function: ast.AST) -> List[ast.AST]:
    """The functions ``function`` defines in its own body and returns (a decorator factory's
    ``return deco``)."""
    nodes = own_nodes(function)
    defined = {n.name: n for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return [
        defined[n.value.id] for n in nodes
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Name) and n.value.id in defined
    ]


def class_method(cls: ast.AST, name: str) -> Optional[ast.FunctionDef]:
    """The method ``name`` a class statement defines in its own body (``__init__``, ``__getstate__``)."""
    return next((m for m in getattr(cls, "body", []) if isinstance(m, ast.FunctionDef) and m.name == name), None)


def returns_self(function: ast.AST) -> bool:
    """Whether a method returns its own object on every ``return`` (a fluent ``open()``: ``return
    self``), at least once, and is no generator, static or class method."""
    params = positional_parameters(function)
    if not params or is_staticmethod(function) or is_classmethod(function):
        return False
    returns = [s for s in block_statements(getattr(function, "body", [])) if isinstance(s, ast.Return)]
    return bool(returns) and all(isinstance(r.value, ast.Name) and r.value.id == params[0] for r in returns) and not is_generator_function(function)


def imports_by_name(function: ast.AST) -> bool:
    """Whether a function returns the module (or an attribute of it) that it imports by a name it
    computes: ``return import_module(path)``, ``return getattr(import_module(module), attr)`` (a
    project's own ``import_string``)."""
    for statement in block_statements(getattr(function, "body", [])):
        value = statement.value if isinstance(statement, ast.Return) else None
        if isinstance(value, ast.Call) and _callee_word(value) == "getattr" and value.args:
            value = value.args[0]
        if isinstance(value, ast.Call) and _callee_word(value) == "import_module":
            return True
    return False


def _callee_word(call: ast.Call) -> str:
    return _word(call.func)


def constructed(value: ast.expr) -> Tuple[ast.expr, bool]:
    """``(CODECS[fmt], True)`` for ``CODECS[fmt]()`` (a call with or without arguments, of a name,
    an attribute or a registry's element), else ``(value, False)``."""
    if looked_up(value)[1]:
        return value, False  # ``TABLE.get(key)``: an element, not a construction
    if isinstance(value, ast.Call) and (
        isinstance(value.func, (ast.Name, ast.Attribute, ast.Subscript)) or looked_up(value.func)[1]  # ``CODECS.get(fmt)()``
    ):
        return value.func, True
    return value, False


def looked_up(value: ast.expr) -> Tuple[ast.expr, bool]:
    """``(TABLE, True)`` for ``TABLE[key]`` and ``TABLE.get(key...)`` (a registry the function picks
    an element of: ``SERIALIZERS[name]``), else ``(value, False)``."""
    if isinstance(value, ast.Subscript):
        return value.value, True
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "get" and value.args:
        return value.func.value, True
    return value, False


def attribute_chain(value: ast.expr) -> Optional[List[str]]:
    """``["ser", "PickleSerializer"]`` for ``ser.PickleSerializer``; None for anything but names."""
    attrs: List[str] = []
    while isinstance(value, ast.Attribute):
        attrs.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name):
        return None
    return [value.id] + attrs[::-1]


def defaulted_fields(cls: "LocalDef", call: ast.Call) -> FrozenSet[str]:
    """The fields of a dataclass (a class decorated ``...dataclass``, with no ``__init__`` of its own
    and no base of the module) that ``call`` leaves at a constant default: ``Task(task_id)`` with
    ``journal: Optional[Journal] = None``. Empty whenever the call's arguments cannot be matched."""
    node = cls.node
    if "__init__" in cls.members or not isinstance(node, ast.ClassDef) or any(base for base in cls.bases if base):
        return frozenset()
    if not any(_callee_word(d) == "dataclass" if isinstance(d, ast.Call) else _word(d) == "dataclass" for d in node.decorator_list):
        return frozenset()
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return frozenset()
    fields = [s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and "ClassVar" not in ast.dump(s.annotation)]
    passed = set(fields[: len(call.args)]) | {k.arg for k in call.keywords}
    return frozenset(constant_default_fields(node) - passed)


def constant_default_fields(node: ast.AST) -> FrozenSet[str]:
    """The annotated fields of a class body given a constant default (``journal: Optional[Journal] = None``)."""
    return frozenset(
        s.target.id
        for s in getattr(node, "body", [])
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and isinstance(s.value, ast.Constant)
    )


def _word(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def binding_counts(body: Sequence[ast.stmt]) -> Dict[str, int]:
    """How often each name is bound anywhere in ``body`` (nested scopes included: over-counting is safe)."""
    counts: Dict[str, int] = {}

    def bind(name: Optional[str], times: int = 1) -> None:
        if name:
            counts[name] = counts.get(name, 0) + times

    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                bind(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bind(node.name)
            elif isinstance(node, ast.alias):
                bind((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.ExceptHandler):
                bind(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    bind(name, 2)
            elif type(node).__name__ in ("MatchAs", "MatchStar"):
                bind(getattr(node, "name", None))
            elif type(node).__name__ == "MatchMapping":
                bind(getattr(node, "rest", None))
    return counts


def single_assignment(statement: ast.stmt) -> Optional[Tuple[ast.expr, ast.expr]]:
    """``(target, value)`` of ``target = value`` or ``target: T = value``; None for anything else."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        return statement.targets[0], statement.value
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return statement.target, statement.value
    return None


def bound_once(scope: ast.AST, name: str) -> Optional[ast.expr]:
    """The value ``name`` is bound to in ``scope`` (a function or class) when its one binding there
    is ``name = value`` or ``name: T = value``, at any depth of the body (``mac = hmac.new(...)``
    then ``return mac.hexdigest()``; ``sock = socket.socket()`` then ``return sock``; a class's
    ``picklelib = "pickle"``). None for a parameter, and for a name bound any other way or more
    than once (a loop target, ``+=``, ``with ... as``, ``del``, a nested scope's ``nonlocal``:
    bindings are counted in nested scopes too, which errs towards None)."""
    arguments = getattr(scope, "args", None)
    if arguments is not None and any(arg.arg == name for arg in all_args(arguments)):
        return None
    body = getattr(scope, "body", [])
    if binding_counts(body).get(name) != 1:
        return None
    for node in own_nodes(scope):
        if isinstance(node, ast.stmt):
            assigned = single_assignment(node)
            if assigned is not None and isinstance(assigned[0], ast.Name) and assigned[0].id == name:
                return assigned[1]
    return None


def method_definitions(tree: ast.AST) -> Dict[str, int]:
    """How many classes of the module (nested ones included) define each method name."""
    counts: Dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for name in {s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}:
                counts[name] = counts.get(name, 0) + 1
    return counts
