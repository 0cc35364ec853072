"""PKL302, PKL303, PKL305-PKL308: class pickling protocols that crash or lose data.

Everything here rides on the resolver's single walk. ``on_class`` records each
class and its methods (the class body is done, the method bodies are not walked
yet); ``on_call`` and ``on_return`` inside those methods, which the resolver
walks later with the method's own bindings in force, resolve what needs
resolving (``from os import system as s`` inside ``__reduce__``); the checks
that need every class of the module and its ``copyreg`` registrations run in
``on_module_end``. A check reads at most one method body at a time, and walks
it with explicit stacks.

Where a finding is reported:

* PKL302 on the ``class`` line;
* PKL303 on each statement that mutates the live ``__dict__``;
* PKL305 on the ``def __setstate__`` line, or the ``def __getstate__`` line when
  the class has no ``__setstate__`` of its own;
* PKL306 on the ``return`` with the wrong shape, or on the ``def`` line for a
  missing parameter;
* PKL307 on the ``return`` of the gadget;
* PKL308 on the line of the expression that raises or recurses.

When unsure (a base class from another module, a helper we cannot read, a
name rebound in a way we do not follow) the checks stay silent.

The listener is here; each rule's reading lives in a module of its own:
:mod:`.model` (the class, its lineage, one method body), :mod:`.exceptions` (PKL302),
:mod:`.mutations` (PKL303), :mod:`.state` (PKL304-PKL305), :mod:`.reduce` (PKL306), :mod:`.lookups` (PKL308).
PKL307 reads the gadget table (:mod:`flake8_pickle.catalog.gadgets`) directly.
"""

from __future__ import annotations

import ast
import builtins
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple, Union

from ...catalog.conventions import NOT_TUPLE_RESULTS, UNCOPYABLE_BASES
from ...catalog.gadgets import CODE_EXECUTION_CALLABLES
from ...findings import Finding, Step, shown
from ..copying import CopyChecks
from ...rules import message
from ...scope import ClassNeeds, Listener, Resolver
from ...symbols import LocalDef, display_name
from .exceptions import NOT_CALLED, ExceptionArgs, args_problem, keyword_construction_problem
from .lookups import _COLLECTION_BUILDERS, _HalfBuiltWalk, _NameGuard, _rebuilds_through_builtin, _statements_with_protection
from ...classes import BUILTIN_EXCEPTIONS, ClassModel, Lineage, _derives_from, lineage
from .model import (
    _MAX_SHOWN,
    _NOT_AFTER_LOAD,
    _REBUILD_HOOKS,
    ClassFacts,
    Method,
    _member_function,
    _method_reads,
    _stores_before_reading,
    _own_expressions,
    _positional,
    is_live_dict,
)
from .reduce import _non_tuple_shape, reduce_problem
from .mutations import live_dict_mutations
from .state import _dropped_attributes, _restores

# --------------------------------------------------------------------------- the listener


class ProtocolChecks(Listener):
    """Reads each class's protocol methods during the walk and reports PKL302, PKL303, PKL305-PKL308."""

    needs = ClassNeeds(
        # PKL305 compares what __setstate__ reads with what the class's methods set.
        whole_class=frozenset({"__setstate__"}),
        methods=frozenset({
            "__getstate__", "__copy__", "__reduce__", "__reduce_ex__", "__deepcopy__", "__getattr__",
            "__getattribute__", "__setattr__", "__getnewargs__", "__getnewargs_ex__",
        }),
        # PKL302 rebuilds an exception from its constructor and its bases'.
        exceptions=True,
    )

    def __init__(self, model: ClassModel, report: Callable[[Finding], None], copies: Optional[CopyChecks] = None):
        #: The class model: which classes have a ``copyreg`` reducer (it walks before this family).
        self.model = model
        self.report = report
        #: Where the module copies, pickles or sends instances (each finding's related places).
        self.copies = copies
        self._pending: List[Tuple[ast.AST, str, ClassFacts, Dict[str, object]]] = []
        self._classes: List[ClassFacts] = []
        self._method_owner: Dict[ast.AST, Tuple[ClassFacts, str]] = {}
        self._call_targets: Dict[ast.Call, FrozenSet] = {}
        self._call_functions: Dict[ast.Call, FrozenSet] = {}
        self._lineages: Dict[int, Lineage] = {}
        #: The module's constructions of its own classes that pass something by keyword (class id -> calls).
        self._keyword_calls: Dict[int, List[ast.Call]] = {}

    # ----------------------------------------------------------------- events
    def on_class(self, node: ast.ClassDef, local: LocalDef, resolver: Resolver) -> None:
        info = self.model.info(local)
        facts = ClassFacts(node, local, info.methods if info is not None else {})
        for name, functions in facts.methods.items():
            for function in functions:
                if isinstance(function, ast.FunctionDef):
                    self._method_owner[function] = (facts, name)
        self._classes.append(facts)
        self._check_signatures(facts)

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        func = call.func
        if isinstance(func, ast.Name) and func.id in _COLLECTION_BUILDERS:
            self._call_functions[call] = resolver.symbols_of(func)  # `_forward = frozenset({...})`
        if any(k.arg is not None for k in call.keywords):
            for symbol in resolver.symbols_of(func):
                if type(symbol) is LocalDef and symbol.kind == "class":
                    self._keyword_calls.setdefault(id(symbol), []).append(call)
        if not resolver.function_stack or resolver.function_stack[-1] not in self._method_owner:
            return
        _, method = self._method_owner[resolver.function_stack[-1]]
        if method == "__init__" and isinstance(func, ast.Attribute) and func.attr == "__init__":
            self._call_targets[call] = resolver.symbols_of(func.value)
        elif method == "__getattr__":
            self._call_functions[call] = resolver.symbols_of(func)

    def on_return(self, node: ast.Return, resolver: Resolver) -> None:
        if not resolver.function_stack:
            return
        owner = self._method_owner.get(resolver.function_stack[-1])
        if owner is None:
            return
        facts, method = owner
        if method in ("__reduce__", "__reduce_ex__"):
            self._check_reduce_return(facts, method, node, resolver)
        elif method == "__getnewargs__":
            shape = _non_tuple_shape(node.value)
            if shape is not None:
                self._emit(node, "PKL306", facts, method=method, problem=f"returns {shape}, not a tuple")

    def on_module_end(self, resolver: Resolver) -> None:
        model = ExceptionArgs(self._call_targets)
        for facts in self._classes:
            chain = self._lineage(facts.local)
            self._check_exception(facts, chain, model)
            getstate = facts.method("__getstate__")
            if getstate is not None:
                self._check_getstate_mutation(facts, getstate)
                self._check_setstate_restores(facts, chain, getstate)
            getattr_method = facts.method("__getattr__")
            if getattr_method is not None:
                self._check_getattr(facts, chain, getattr_method)
        self._report_pending()

    def _emit(self, node: ast.AST, code: str, facts: ClassFacts, **values: object) -> None:
        """Report at module end, when every copy of the module is known (the related places)."""
        self._pending.append((node, code, facts, values))

    def _report_pending(self) -> None:
        for node, code, facts, values in self._pending:
            steps: List[Step] = []
            if facts.node.lineno != node.lineno:  # type: ignore[attr-defined]
                steps.append(Step(facts.node.lineno, f"class {facts.name} is defined here"))
            if self.copies is not None:
                steps.extend(self.copies.places_handed(facts.local))
            text = message(code, cls=facts.name, **values)
            self.report(Finding(node.lineno, node.col_offset, code, text, tuple(steps)))  # type: ignore[attr-defined]
        self._pending.clear()

    # ----------------------------------------------------------------- PKL306 / PKL307
    def _check_signatures(self, facts: ClassFacts) -> None:
        for name, parameter in (("__reduce_ex__", "protocol"), ("__deepcopy__", "memo")):
            for function in facts.methods.get(name, []):
                if not isinstance(function, ast.FunctionDef) or function.decorator_list:
                    continue
                if len(_positional(function)) < 2 and function.args.vararg is None:
                    self._emit(function, "PKL306", facts, method=name, problem=f"has no {parameter} parameter")

    def _check_reduce_return(self, facts: ClassFacts, method: str, node: ast.Return, resolver: Resolver) -> None:
        value = node.value
        problem = reduce_problem(value) or _arguments_known_not_a_tuple(value, resolver)
        if problem is not None:
            self._emit(node, "PKL306", facts, method=method, problem=problem)
            return
        if isinstance(value, ast.Tuple) and value.elts:
            names = resolver.qualified_names(value.elts[0]) & CODE_EXECUTION_CALLABLES
            if names:
                shown = display_name(sorted(names)[0])
                if shown.startswith("builtins."):
                    shown = shown[len("builtins.") :]
                self._emit(node, "PKL307", facts, method=method, callable=shown)

    def _lineage(self, cls: LocalDef) -> Lineage:
        """The class's lineage, worked out once per class (its bases are fixed once it is made)."""
        found = self._lineages.get(id(cls))
        if found is None:
            found = self._lineages[id(cls)] = lineage(cls, self.model.plain_exception_base, self.model.foreign_init)
        return found

    # ----------------------------------------------------------------- PKL302
    def _check_exception(self, facts: ClassFacts, chain: Lineage, model: ExceptionArgs) -> None:
        if not (chain.complete or chain.foreign_complete) or not chain.is_exception():
            return
        if any(chain.defines(hook) for hook in _REBUILD_HOOKS + ("__new__",)):
            return
        if any(self.model.registered(cls) for cls in chain.classes):
            return
        # Another module's exception base, its ``__init__`` described by the project index, comes
        # after the module's classes (it derives from none of them) and before the builtins.
        order: List[Union[LocalDef, str]] = [*chain.classes, *chain.foreign, *chain.builtins]  # type: ignore[list-item]
        owner_index = next((i for i, c in enumerate(chain.classes) if "__init__" in c.members), None)
        if owner_index is None:
            return
        owner = chain.classes[owner_index]
        function = _member_function(owner, "__init__")
        if not isinstance(function, ast.FunctionDef):
            return
        if owner is not facts.local and self._lineage(owner).is_exception():
            return  # reported on the class that defines this __init__
        args = model.args_of(order, owner_index)
        problem = args_problem(model.facts(function), args)
        if problem is None and args == NOT_CALLED:
            problem = keyword_construction_problem(model.facts(function), self._keyword_calls.get(id(facts.local), ()))
        if problem is not None:
            self._emit(facts.node, "PKL302", facts, problem=problem)

    # ----------------------------------------------------------------- PKL303
    def _check_getstate_mutation(self, facts: ClassFacts, getstate: Method) -> None:
        for statement, target in live_dict_mutations(getstate):
            self._emit(statement, "PKL303", facts, target=target)

    # ----------------------------------------------------------------- PKL305
    def _check_setstate_restores(self, facts: ClassFacts, chain: Lineage, getstate: Method) -> None:
        if not chain.complete or any(self.model.registered(c) for c in chain.classes):
            return
        if any(chain.defines(name) for name in _REBUILD_HOOKS + ("__getattr__", "__getattribute__")):
            return
        dropped = _dropped_attributes(getstate, chain)
        if not dropped:
            return
        setstate_owner = next((c for c in chain.classes if "__setstate__" in c.members), None)
        setstate: Optional[ast.AST] = None
        if setstate_owner is not None:
            setstate = _member_function(setstate_owner, "__setstate__")
            if not isinstance(setstate, ast.FunctionDef):
                return
        methods = [
            (cls, name, _member_function(cls, name)) for cls in chain.classes for name in cls.members
        ]
        functions = [(cls, name, f) for cls, name, f in methods if isinstance(f, ast.FunctionDef)]
        where = facts.method("__setstate__") or getstate
        for attr in sorted(dropped):
            if chain.defines(attr) or (attr.startswith("__") and not attr.endswith("__")):
                continue
            if setstate is not None and _restores(setstate, attr, chain, set()) is not False:
                continue
            if any(name not in _NOT_AFTER_LOAD and _stores_before_reading(f, attr) for _, name, f in functions):
                continue  # set lazily or reset elsewhere: cannot tell
            if any(name not in _NOT_AFTER_LOAD and _method_reads(f, attr) for _, name, f in functions):
                self._emit(where, "PKL305", facts, attribute=f"self.{attr}")

    # ----------------------------------------------------------------- PKL308
    def _check_getattr(self, facts: ClassFacts, chain: Lineage, function: Method) -> None:
        positional = _positional(function)
        if len(positional) < 2:
            return
        self_name, name = positional[0].arg, positional[1].arg
        if self._abstract_everywhere_replaced(facts, function) or chain.refuses_copies() or _a_module(chain):
            return  # never run on a copy: replaced everywhere, or the class refuses (or a module cannot) be copied
        reported: Set[Tuple[int, str]] = set()
        descendants = [
            below
            for below in (self._lineage(info.local) for info in self.model.classes.values() if info.local is not facts.local)
            if any(cls is facts.local for cls in below.classes)
        ]
        guard = _NameGuard(function, chain, self._call_functions, descendants)
        reached = _HalfBuiltWalk(function, self_name, chain, guard, live=True).reached()
        for node, error in self._non_attribute_errors(function, self_name, name, reached, chain):
            key = (node.lineno, error.split(",")[0])  # one KeyError per line: a[b][name]
            if key not in reported:
                reported.add(key)
                self._emit(node, "PKL308", facts, problem=error)
        if not chain.complete or chain.defines("__setstate__") or any(chain.defines(h) for h in _REBUILD_HOOKS):
            return
        if _rebuilds_through_builtin(chain):
            return  # never half-built: an exception is rebuilt by calling its class
        read = _HalfBuiltWalk(function, self_name, chain, guard).first_read()
        if read is not None:
            via = getattr(read, "via", None)
            where = f" (in {via}())" if via else ""
            error = "RecursionError"
            guard = _name_assert(function, name)
            if guard is not None:  # ``assert name != "_wrapped"`` stops the recursion, unless compiled out
                error = f"AssertionError from the assert on line {guard.lineno}; RecursionError under python -O"
            problem = f"reads self.{read.attr}{where}, missing on a copied or unpickled object ({error})"
            for index, (node, code, _, values) in enumerate(self._pending):
                if code == "PKL308" and (node.lineno, node.col_offset) == (read.lineno, read.col_offset):  # type: ignore[attr-defined]
                    # ``return self._data[name]``: one expression, one finding with both of its failures.
                    self._pending[index] = (node, code, facts, {"problem": f"{values['problem']}; it also {problem}"})
                    return
            self._emit(read, "PKL308", facts, problem=problem)

    def _abstract_everywhere_replaced(self, facts: ClassFacts, function: Method) -> bool:
        """An abstract base's ``__getattr__`` (the class derives from ``abc.ABC``, or the method
        raises ``NotImplementedError``) that every subclass of the module replaces: it never runs on
        an object anyone copies. A base with no subclass here is read as it is."""
        abstract = _derives_from(facts.local, lambda base: base == "abc.ABC") or any(
            isinstance(node, ast.Raise) and node.exc is not None and self._raised_class(node.exc) == "NotImplementedError"
            for node in ast.walk(function)
        )
        if not abstract:
            return False
        subclasses = [
            info
            for info in self.model.classes.values()
            if any(facts.local in base for base in info.local.bases)
        ]
        return bool(subclasses) and all("__getattr__" in info.defined for info in subclasses)

    def _non_attribute_errors(
        self, function: Method, self_name: str, name: str, reached: Optional[Set[int]], chain: Lineage
    ) -> Iterator[Tuple[ast.AST, str]]:
        """Errors other than AttributeError that ``__getattr__`` can raise.

        An explicit ``raise`` counts when a name copy or pickle looks up reaches it (raising
        ``NotImplementedError`` for public names on purpose breaks neither); a ``KeyError``
        of a lookup keyed by the name counts for any name: it breaks ``hasattr`` and
        ``getattr(obj, name, default)`` too, and is never what the author meant. ``reached``
        None: the walk could not tell, every statement counts.
        """
        for statement, protected in _statements_with_protection(function.body):
            if (
                isinstance(statement, ast.Raise)
                and statement.exc is not None
                and (reached is None or id(statement) in reached)
            ):
                raised = self._raised_class(statement.exc)
                if raised is not None and not protected.catches(raised):
                    yield statement, f"raises {raised}, not AttributeError"
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if protected.catches("KeyError"):
                continue
            for node in _own_expressions(statement):
                if not isinstance(node, ast.Subscript) or not isinstance(node.ctx, ast.Load):
                    continue
                if protected.checked(node):
                    continue
                if isinstance(node.value, ast.Name) and node.value.id == self_name and chain.defines("__getitem__"):
                    continue  # ``self[name]`` raises what the class's own ``__getitem__`` raises
                keyed_by_name = any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.slice))
                # ``self.__dict__["_data"]`` fails only on a half-built object: when a name copy or
                # pickle looks up gets there (``if name in self.ALLOWED:`` before it keeps them out).
                half_built = is_live_dict(node.value, self_name) and not protected.in_handler
                if keyed_by_name or half_built and (reached is None or id(statement) in reached):
                    yield node, f"can raise KeyError for a missing name: `{shown(node, _MAX_SHOWN)}`"

    def _raised_class(self, exc: ast.AST) -> Optional[str]:
        """The builtin exception class a ``raise`` raises, when it is not an AttributeError."""
        func = exc.func if isinstance(exc, ast.Call) else exc
        symbols = self._call_functions.get(exc) if isinstance(exc, ast.Call) else None
        if symbols is None:
            if not isinstance(func, ast.Name) or f"builtins.{func.id}" not in BUILTIN_EXCEPTIONS:
                return None
            symbols = frozenset((f"builtins.{func.id}",))
        if len(symbols) != 1:
            return None
        symbol = next(iter(symbols))
        if isinstance(symbol, str) and symbol in BUILTIN_EXCEPTIONS:
            raised = getattr(builtins, symbol.split(".", 1)[1])
            return None if issubclass(raised, AttributeError) else raised.__name__
        return None


def _name_assert(function: Method, name: str) -> Optional[ast.Assert]:
    """The first top-level ``assert`` of ``__getattr__`` whose test reads the looked-up name."""
    for statement in function.body:
        if isinstance(statement, ast.Assert) and any(
            isinstance(node, ast.Name) and node.id == name for node in ast.walk(statement.test)
        ):
            return statement
    return None


def _a_module(chain: Lineage) -> bool:
    """Whether the class derives from ``types.ModuleType``: its objects cannot be copied or pickled at
    all (``TypeError: cannot pickle``), whatever its ``__getattr__`` does (a lazy-import module)."""
    return any(symbol in UNCOPYABLE_BASES for cls in chain.classes for base in cls.bases for symbol in base)


def _arguments_known_not_a_tuple(value: Optional[ast.AST], resolver: Resolver) -> Optional[str]:
    """``return (DataPath, (self.path))`` with ``self.path = str(path)``: the parentheses make no tuple
    (a missing comma), and what the name holds is known not to be one (probe E)."""
    if not (isinstance(value, ast.Tuple) and 2 <= len(value.elts) <= 6) or isinstance(value.elts[1], (ast.Tuple, ast.Starred)):
        return None
    symbols = resolver.symbols_of(value.elts[1])
    kinds = {NOT_TUPLE_RESULTS.get(symbol) if isinstance(symbol, str) else None for symbol in symbols}
    if not symbols or None in kinds:
        return None
    shown = ast.unparse(value.elts[1])
    return f"returns a tuple whose second item (the arguments) `{shown}` is a {' or '.join(sorted(kinds))}, not a tuple"
