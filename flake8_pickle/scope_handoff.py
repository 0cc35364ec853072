"""Calls that hand a function over: the resolver's part of following what an executor, an event loop,
a thread, a pool, a task queue or ``map`` calls later (``executor.submit(pickle.loads, body)`` is the
call ``pickle.loads(body)``), and of telling listeners of a function handed to what may call it with
data the walk does not see (``registry.register("pickle", pickle.loads)``). A mixin of
:class:`flake8_pickle.scope.Resolver`; the tables are ``catalog.handoff``'s."""

from __future__ import annotations

import ast
import sys
from typing import TYPE_CHECKING, FrozenSet, List, Optional, Tuple, Union

from .catalog.conventions import NOT_CALLING, STORING_ALL_METHODS, STORING_METHODS
from .catalog.handoff import APPLIER_METHODS, APPLIER_WORDS, APPLIERS, TASK_METHODS
from .shapes import (
    NodeKey, all_args, applied_call, is_bound_task, is_classmethod, is_staticmethod, node_key, positional_args, registry_stores,
    returned_functions,
)
from .symbols import EMPTY, LocalDef, LocalInstance, Symbols, contained

if TYPE_CHECKING:
    from .scope import Resolver


class Handoffs:
    """What the resolver does with calls that hand a function over (see the module docstring)."""

    def fill_registry_by_decorators(self: "Resolver", node: ast.AST, local: LocalDef) -> None:
        """``@register("pickle")`` over ``def load_pickle``, where the module's ``register`` returns
        a ``deco(fn)`` that stores ``fn`` in ``HANDLERS`` (or ``@handler`` stores it itself): the
        module's ``HANDLERS`` holds the function, so ``HANDLERS[fmt](body)`` may run it."""
        for decorator in getattr(node, "decorator_list", ()):
            called = isinstance(decorator, ast.Call)
            for symbol in self.symbols_of(decorator.func if called else decorator):
                if type(symbol) is not LocalDef or symbol.kind != "function":
                    continue
                storers = returned_functions(symbol.node) if called else [symbol.node]
                for storer in storers:
                    for container, index in self._registry_stores(storer):
                        if index == 0:
                            self._fill_registry(container, frozenset((local,)))

    def fill_registry_by_call(self: "Resolver", call: ast.Call) -> None:
        """``register("pickle", load_pickle)`` with the module's ``register`` storing its second
        parameter in ``HANDLERS``: the registry holds what the call passes there."""
        for symbol in self.symbols_of(call.func):
            if type(symbol) is LocalDef and symbol.kind == "function":
                for container, index in self._registry_stores(symbol.node):
                    if index < len(call.args) and not isinstance(call.args[index], ast.Starred):
                        self._fill_registry(container, self.symbols_of(call.args[index]))

    def _registry_stores(self: "Resolver", function: ast.AST) -> List[Tuple[str, int]]:
        known = self._registrars.get(id(function))
        if known is None:
            known = self._registrars[id(function)] = registry_stores(function)
        return known

    def _fill_registry(self: "Resolver", container: str, value: Symbols) -> None:
        current = self.module_scope.bindings.get(container)
        if current is not None and value:
            self.module_scope.bindings[container] = current | contained(value)

    def applied_call(self: "Resolver", call: ast.Call) -> Optional[ast.Call]:
        """The call of the function ``call`` hands to an applier (``executor.submit(fn, x)``,
        ``map(fn, xs)``, ``Thread(target=fn, args=(x,))``: see ``catalog.handoff.APPLIERS``), as a
        call made here; None when ``call`` is no applier. A method of an applier's name on a
        receiver nothing is known of (an ``executor`` parameter) is taken for one. One node per
        call, for the walk's life: listeners that key calls by identity see the same one again."""
        known = self._applied.get(id(call), False)
        if known is not False:
            return known  # type: ignore[return-value]
        names = self.qualified_names(call.func)
        applier = next((APPLIERS[name] for name in sorted(names) if name in APPLIERS), None)
        func = call.func
        if applier is None and isinstance(func, ast.Attribute) and (func.attr in APPLIER_METHODS or func.attr in TASK_METHODS):
            receiver = self.symbols_of(func.value)
            if not names and not any(type(symbol) in _KNOWN_OBJECTS for symbol in receiver):
                applier = APPLIER_METHODS.get(func.attr)
            if applier is None and func.attr in TASK_METHODS and any(_is_task(symbol) for symbol in receiver):
                applier = TASK_METHODS[func.attr]
        made = applied_call(call, applier) if applier is not None else None
        self._applied[id(call)] = made
        return made

    def _call_applied(self: "Resolver", call: ast.Call, depth: int = 0) -> None:
        """Tell the listeners of the call an applier makes (see :meth:`applied_call`), and of the
        call that one makes when it is an applier too (``executor.submit(loop.call_soon, f, x)``).
        Called while the resolver's memo still holds ``call``'s callee."""
        applied = self.applied_call(call)
        if applied is None:
            return
        self._memo_expr, self._memo_symbols, self._memo_names = applied.func, None, None
        hooks = self._on_call
        if self._on_every_call is not None and not self._declared_call(applied.func):
            hooks = self._on_every_call
        for hook in hooks:
            hook(applied, self)  # type: ignore[arg-type]
        self._memo_expr = self._memo_symbols = self._memo_names = None
        func = applied.func
        word = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None  # type: ignore[attr-defined]
        if depth < 2 and word in APPLIER_WORDS:
            self._call_applied(applied, depth + 1)
        if (self._handed_words or self._module_functions or self.classes) and (applied.args or applied.keywords):
            self._check_arguments(applied)

    def _check_arguments(self: "Resolver", call: ast.Call, display: Optional[ast.expr] = None) -> None:
        """For each argument of ``call`` (or each element of ``display``, one of its arguments) that
        names a function, also inside a tuple, list or dict display, and a starred one: tell the
        listeners of a handed loader (:meth:`_hand`), and record one of the module's own functions
        handed to another (:meth:`_pass_function`). The walk does this for plain arguments itself."""
        handed, functions = self._handed_words, self._module_functions
        for arg in _named_arguments(call if display is None else [display]):
            kind = type(arg)
            spelled = arg.id if kind is ast.Name else arg.attr  # type: ignore[attr-defined]
            if kind is ast.Name and spelled in functions:
                self._pass_function(call, arg)  # type: ignore[arg-type]
            elif kind is ast.Name and spelled == "self" and self.function_stack:
                self._pass_self(call, arg)  # type: ignore[arg-type]
            elif handed and (spelled in handed or spelled.rpartition("_")[2] in handed):
                self._hand(call, arg)
            elif kind is ast.Attribute and type(arg.value) is ast.Name and arg.value.id == "self" and self.function_stack:  # type: ignore[attr-defined]
                self._pass_method(call, arg)  # type: ignore[arg-type]
            elif kind is ast.Name and type(call.func) is ast.Name and call.func.id in self._class_names:
                self._pass_instance(call, arg)

    def _hand(self: "Resolver", call: ast.Call, reference: ast.expr) -> None:
        """Tell the listeners of ``reference``, a function handed to ``call`` (see
        ``Listener.on_handed``), unless ``call`` calls it here or stores it where the walk follows it."""
        if not self.qualified_names(reference):
            return
        applied = self.applied_call(call)
        if applied is not None and (
            applied.func is reference
            or any(arg is reference for arg in applied.args)
            or any(keyword.value is reference for keyword in applied.keywords)
        ):
            return  # the call it makes was told as a call, and it passes this on there
        func = call.func
        if type(func) is ast.Attribute and (
            func.attr in STORING_ALL_METHODS
            or (func.attr in STORING_METHODS and STORING_METHODS[func.attr] < len(call.args) and call.args[STORING_METHODS[func.attr]] is reference)
        ):
            return  # ``callbacks.append(f)``: the container holds it, and a call of it is a call
        callee = self.qualified_names(func)
        if callee and (callee & NOT_CALLING or "functools.partial" in callee):
            return  # a partial binds no input here: the later call of it is the call
        if self._pass_to_module_function(call, reference):
            return  # a call of the parameter is a call of it, reported where it is called
        for hook in self._on_handed:
            hook(reference, call, self)

    def _pass_self(self: "Resolver", call: ast.Call, reference: ast.Name) -> None:
        """``Server(self)``, ``self.server.attach(self)``: the object of a class of the module's top level
        handed to a function of the module is what that parameter holds there (``self.daemon =
        daemon``, then ``self.daemon.handle(conn)`` runs the class's ``handle``)."""
        handed = frozenset(
            LocalInstance(symbol.cls) for symbol in self.lookup(reference.id)
            if type(symbol) is LocalInstance and self._top_level.get(id(symbol.cls.node)) is symbol.cls  # type: ignore[union-attr]
        )
        if handed:
            self._pass_to_module_function(call, reference, handed)

    def _pass_instance(self: "Resolver", call: ast.Call, reference: ast.expr) -> None:
        """``ClientJob(csock, Daemon())``, ``Server(daemon)`` with ``daemon = Daemon()``: an object of a
        class of the module's top level handed to a function of the module, as :meth:`_pass_self`."""
        # Known well enough to run its methods, not to say what every object the constructor makes
        # holds: another call may hand it something else (``Cache({"rows": []})``), and what this one
        # was made with travels with the object it made (``LocalInstance.passed``).
        handed = frozenset(
            LocalInstance(symbol.cls, factory=True) for symbol in self.symbols_of(reference)
            if type(symbol) is LocalInstance and self._top_level.get(id(symbol.cls.node)) is symbol.cls  # type: ignore[union-attr]
        )
        if handed:
            self._pass_to_module_function(call, reference, handed)

    def _pass_method(self: "Resolver", call: ast.Call, reference: ast.Attribute) -> None:
        """``Worker(handler=self.handle)``: a method of a class of the module's top level, bound to
        the object, handed to a function of the module is what that parameter holds there (``self.
        handler = handler``, then ``self.handler(msg)`` runs ``handle`` with ``msg``)."""
        owners = [
            s.cls for s in self.lookup("self")
            if type(s) is LocalInstance and self._top_level.get(id(s.cls.node)) is s.cls  # type: ignore[union-attr]
        ]
        handed = frozenset(
            symbol for symbol in self.symbols_of(reference)
            if type(symbol) is LocalDef and symbol.kind == "function"
            and any(symbol in cls.members.get(reference.attr, ()) for cls in owners)  # type: ignore[union-attr]
        )
        if handed:
            self._pass_to_module_function(call, reference, handed)

    def _pass_function(self: "Resolver", call: ast.Call, reference: ast.Name) -> None:
        """``register("jobs", on_job)``, ``process(body, decode_blob)``: a function of the module's
        top level handed to another of its functions is what that parameter holds there (a call of
        the parameter is a call of it, with the arguments it is given)."""
        handed = frozenset(
            symbol for symbol in self.lookup(reference.id)
            if type(symbol) is LocalDef and symbol.kind == "function" and self._top_level.get(id(symbol.node)) is symbol  # type: ignore[union-attr]
        )
        if handed:
            self._pass_to_module_function(call, reference, handed)

    def _pass_to_module_function(self: "Resolver", call: ast.Call, reference: ast.expr, given: Optional[Symbols] = None) -> bool:
        """Record ``reference`` (library functions, or ``given``: the module's own) as what the
        parameter it is passed for holds, when every callee ``call`` may run is a function of the
        module (or a class's own ``__init__``) whose body the walk has not begun: the body then
        calls them by the parameter's name. True when recorded (or, for a walk seeded by an earlier
        one, recorded then)."""
        names = given if given is not None else self.qualified_names(reference)
        callees = self.symbols_of(call.func)
        if not names or not callees:
            return False
        targets: List[Tuple[NodeKey, str]] = []
        for symbol in callees:
            function, shift = self._function_called(symbol, call)
            if function is None:
                return False
            param = _parameter_passed(function, call, reference, shift)
            if param is None:
                return False
            key = (node_key(function), param)
            if self.passed_seeded and not _keys(names) <= _keys(self.passed.get(key, EMPTY)):
                return False
            self.passed_at[(node_key(call), param)] = names
            targets.append(key)
        if self.passed_seeded:
            return True
        late = False
        for key in targets:
            self.passed[key] = self.passed.get(key, EMPTY) | names
            late = late or key[0] in self._begun
        # Walked already without it: told as handed over, and the walk may start over (seeded).
        self.passed_late = self.passed_late or late
        return not late

    def _function_called(self: "Resolver", symbol: object, call: ast.Call) -> Tuple[Optional[ast.AST], int]:
        """The function of the module a call of ``symbol`` runs, and how many parameters it binds
        before the call's arguments (``self``): (None, 0) when it is not one."""
        if type(symbol) is not LocalDef:
            return None, 0
        if symbol.kind == "class":  # type: ignore[union-attr]
            for init in symbol.members.get("__init__", EMPTY):  # type: ignore[union-attr]
                if type(init) is LocalDef and init.kind == "function":
                    return init.node, 1
            return None, 0
        if symbol.kind != "function":  # type: ignore[union-attr]
            return None, 0
        node = symbol.node  # type: ignore[union-attr]
        func = call.func
        if is_bound_task(node):
            return node, 1
        bound = (
            type(func) is ast.Attribute
            and not is_staticmethod(node)
            and (is_classmethod(node) or any(type(s) is LocalInstance for s in self.symbols_of(func.value)))  # type: ignore[attr-defined]
        )
        return node, 1 if bound else 0


def _parameter_passed(function: ast.AST, call: ast.Call, argument: ast.expr, shift: int) -> Optional[str]:
    """The parameter of ``function`` that ``argument`` of ``call`` is passed for (``shift``:
    parameters bound before the call's arguments), if it can be told."""
    for position, value in enumerate(call.args):
        if isinstance(value, ast.Starred):
            return None
        if value is argument:
            params = positional_args(function.args)  # type: ignore[attr-defined]
            index = position + shift
            return params[index].arg if index < len(params) else None
    for keyword in call.keywords:
        if keyword.value is argument:
            if keyword.arg is not None and keyword.arg in {a.arg for a in all_args(function.args)}:  # type: ignore[attr-defined]
                return keyword.arg
            return None
    return None


def _named_arguments(where: Union[ast.Call, List[ast.expr]]) -> List[ast.expr]:
    """The arguments of a call (or the expressions of a list) that are a name or a dotted name,
    also as elements of a tuple, list or set display (starred or not) and values of a dict display
    (``**{...}`` too)."""
    out: List[ast.expr] = []
    if isinstance(where, ast.Call):
        values: List[ast.expr] = list(where.args) + [keyword.value for keyword in where.keywords]
    else:
        values = list(where)
    while values:
        value = values.pop()
        kind = type(value)
        if kind is ast.Name or kind is ast.Attribute:
            out.append(value)
        elif kind is ast.Starred:
            values.append(value.value)  # type: ignore[attr-defined]
        elif kind is ast.Tuple or kind is ast.List or kind is ast.Set:
            values.extend(value.elts)  # type: ignore[attr-defined]
        elif kind is ast.Dict:
            values.extend(value.values)  # type: ignore[attr-defined]
    out.reverse()
    return out


def _keys(symbols: Symbols) -> FrozenSet[object]:
    """What makes symbols the same in two walks of one tree: a name, or the node a function was made of."""
    return frozenset(
        ("def", id(s.node)) if type(s) is LocalDef else ("instance", id(s.cls.node)) if type(s) is LocalInstance else s  # type: ignore[union-attr]
        for s in symbols
    )


def _is_task(symbol: object) -> bool:
    """Whether ``symbol`` may be a task a queue runs: a function of the module, or a name imported
    from outside the standard library (not an object made by a call)."""
    if type(symbol) is LocalDef:
        return symbol.kind == "function"  # type: ignore[union-attr]
    return type(symbol) is str and symbol[-1:] != ")" and symbol.partition(".")[0] not in _STDLIB  # type: ignore[union-attr]


_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"builtins"}

#: Symbols that say what an object is (a library name, the module's own function, class or instance).
_KNOWN_OBJECTS = (str, LocalDef, LocalInstance)
