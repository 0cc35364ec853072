"""PKL104: the paths through a find_class, each ending in a return, a raise or a delegation."""

from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ...catalog.conventions import HARMLESS_CALLS
from ...pathwalk import PathInterpreter
from ...symbols import LocalDef
from ...shapes import target_names
from .values import _Reader
from .model import (
    NEUTRAL,
    OBJECTS,
    OPAQUE,
    REJECT,
    RESOLVE,
    UNPICKLER_BASES,
    _DictValue,
    _ElementOf,
    _GiveUp,
    _HARMLESS_CALL_PREFIXES,
    _HARMLESS_METHODS,
    _Imported,
    _MAX_EXPR_NODES,
    _MAX_NESTING,
    _MAX_PATHS,
    _MAX_WORK,
    _Path,
    _Terminal,
    _Unknown,
    _bind,
    _clauses,
    _constant_str,
    _definer_above,
    _lookup_parts,
    _members,
    _module_and_name,
    _pattern_test,
    _returns_in,
    _substituted,
    _walk,
)


#: What a check helper read in place may not hold: a way out other than a raise, or another scope.
_NOT_INLINED = (ast.Return, ast.Yield, ast.YieldFrom, ast.Await, ast.Global, ast.Nonlocal, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class _PathWalk(_Reader, PathInterpreter[_Path, bool]):
    """The PKL104 domain of the path interpreter: each path carries the conditions that reach it
    and the method's local bindings; each ``return`` or ``raise`` ends one in a terminal. The mode
    is True inside a handler that only reacts to a failed import (its raise rejects nothing)."""

    max_paths = _MAX_PATHS
    max_work = _MAX_WORK
    max_nesting = _MAX_NESTING

    def __init__(self, *args: object, **kwargs: object) -> None:
        _Reader.__init__(self, *args, **kwargs)  # type: ignore[arg-type]
        PathInterpreter.__init__(self)
        #: How many check helpers are being read in place, one inside another (see :meth:`_inlined`).
        self._inlining = 0

    # ------------------------------------------------------------------ interpreter hooks
    def visit(self, statement: ast.stmt, paths: List[_Path], depth: int, handler: bool) -> List[_Path]:
        if isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)) and statement.value is not None:
            return self._checked_by_calls(statement.value, paths, handler)
        return paths

    def split(self, paths: List[_Path], test: ast.expr) -> Tuple[List[_Path], List[_Path]]:
        return self._assume_all(paths, test, True), self._assume_all(paths, test, False)

    def effect(self, path: _Path, node: ast.stmt) -> _Path:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            if node.value is None:
                return path
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            return self._assign(path, targets, node.value)
        if isinstance(node, (ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, ast.Delete) else [node.target]
            return self._forget(path, (n for t in targets for n in target_names(t)))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return self._import(path, node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return self._forget(path, [node.name])
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return _Path(path.atoms, {k: v for k, v in path.env.items() if k not in node.names})
        return path  # expression statements (logging), pass

    def rebind(self, path: _Path, names: List[str]) -> _Path:
        return self._forget(path, names)

    def returned(self, path: _Path, statement: ast.Return, handler: bool) -> None:
        self._return(statement.value, path, handler)

    def raised(self, path: _Path, statement: ast.stmt, handler: bool) -> None:
        self.terminals.append(_Terminal(NEUTRAL if handler else REJECT, path))

    def handler_mode(self, statement: ast.stmt, handler: bool) -> bool:
        # A handler of a ``try: return super().find_class(...)`` only reacts to a failed
        # import; a handler of a lookup (``SAFE[module]``) is the check itself.
        return handler or _returns_in(statement.body)  # type: ignore[attr-defined]

    def loop_entry(self, node: ast.stmt, paths: List[_Path]) -> Tuple[List[_Path], List[_Path]]:
        if isinstance(node, ast.While):
            return self.split(paths, node.test)
        assert isinstance(node, (ast.For, ast.AsyncFor))
        entered = []
        for path in paths:
            element = _ElementOf(collection=self._substitute(node.iter, path.env))
            entered.append(self._assign(path, [node.target], element, substitute=False))
        # A literal non-empty collection is iterated at least once.
        iterated = _members(self._evaluate(self._substitute(node.iter, paths[0].env))) if paths else None
        return entered, ([] if iterated else list(paths))

    def case_entry(self, subject: ast.expr, pattern: Optional[ast.AST], missed: Sequence[ast.AST], path: _Path) -> _Path:
        subject = self._substitute(subject, path.env)
        atoms = [(_pattern_test(subject, p), False) for p in missed]
        if pattern is not None:
            test = _pattern_test(subject, pattern)
            if test is not None:
                atoms.append((test, True))
        return _Path(path.atoms + tuple((a, b) for a, b in atoms if a is not None), path.env)

    def _checked_by_calls(self, value: ast.AST, paths: List[_Path], handler: bool) -> List[_Path]:
        """A call such as ``self.check(module, name)`` may raise: a path rejects there, the rest continue."""
        out: List[_Path] = []
        for path in paths:
            call = self._checking_call(self._substitute(value, path.env))
            if call is None:
                out.append(path)
                continue
            inlined = self._inlined(call, path, handler)
            if inlined is not None:
                out.extend(inlined)
                continue
            self.terminals.append(_Terminal(NEUTRAL if handler else REJECT, path))
            out.append(_Path(path.atoms + ((call, True),), path.env))
        return out

    def _inlined(self, call: ast.AST, path: _Path, handler: bool) -> Optional[List[_Path]]:
        """``_check_global(module, name, self.ALLOWED)``: a function of the module that raises unless
        its check passes (no ``return``, no ``yield``, no nested scope) is read in place, its
        parameters bound to the call's arguments; the paths that get through it go on with what it
        assumed. None for any other call (an opaque check then)."""
        if self._inlining >= 2 or not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            return None
        helpers = [s for s in self.resolver.lookup(call.func.id) if isinstance(s, LocalDef)]
        if len(helpers) != 1 or helpers[0].kind != "function" or helpers[0].nested:
            return None
        node = helpers[0].node
        spec = node.args  # type: ignore[attr-defined]
        if isinstance(node, ast.AsyncFunctionDef) or spec.vararg or spec.kwarg or spec.kwonlyargs or getattr(spec, "posonlyargs", None):
            return None
        if any(isinstance(n, _NOT_INLINED) for statement in node.body for n in ast.walk(statement)):  # type: ignore[attr-defined]
            return None
        params = [a.arg for a in spec.args]
        given = dict(zip(params, call.args))
        given.update((k.arg, k.value) for k in call.keywords if k.arg is not None)
        if len(call.args) > len(params) or any(isinstance(a, ast.Starred) for a in call.args) or set(given) != set(params):
            return None  # every parameter bound by the call itself (no defaults, no spreading)
        self._inlining += 1
        try:
            survivors = self._block(node.body, [_Path(path.atoms, given)], 0, handler)  # type: ignore[attr-defined]
        finally:
            self._inlining -= 1
        return [_Path(survivor.atoms, path.env) for survivor in survivors]

    def _checking_call(self, expr: ast.AST) -> Optional[ast.AST]:
        """The first call in ``expr`` that is given the module or name and may reject them."""
        try:
            for node in _walk(expr):
                if not isinstance(node, ast.Call) or not self._mentions_arguments(node):
                    continue
                func = node.func
                if isinstance(func, ast.Attribute):
                    if func.attr in _HARMLESS_METHODS:
                        continue
                    if isinstance(func.value, ast.Name) and func.value.id in (self.module_param, self.name_param):
                        continue  # a str method of the module or name
                names = self._names_of(func)
                if names and all(n.startswith(_HARMLESS_CALL_PREFIXES) or n in HARMLESS_CALLS for n in names):
                    continue
                return node
        except _GiveUp:
            return expr
        return None

    # ------------------------------------------------------------------ paths
    def _assume_all(self, paths: Iterable[_Path], test: ast.AST, positive: bool) -> List[_Path]:
        out: List[_Path] = []
        for path in paths:
            out.extend(self._assume(path, test, positive))
        if len(out) > _MAX_PATHS:
            raise _GiveUp
        return out

    def _assume(self, path: _Path, test: ast.AST, positive: bool) -> List[_Path]:
        clauses = _clauses(self._substitute(test, path.env), positive, 0)
        return [_Path(path.atoms + clause, path.env) for clause in clauses]

    def _assign(self, path: _Path, targets: Sequence[ast.AST], value: ast.AST, substitute: bool = True) -> _Path:
        bound = self._substitute(value, path.env) if substitute else value
        env = dict(path.env)
        for target in targets:
            _bind(env, target, bound)
        return _Path(path.atoms, env)

    def _forget(self, path: _Path, names: Iterable[str]) -> _Path:
        names = list(names)
        if not names:
            return path
        env = dict(path.env)
        for name in names:
            env[name] = _Unknown()
        return _Path(path.atoms, env)

    def _import(self, path: _Path, node: ast.AST) -> _Path:
        env = dict(path.env)
        for alias in node.names:  # type: ignore[attr-defined]
            if isinstance(node, ast.Import):
                if alias.asname:
                    env[alias.asname] = _Imported(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    env[top] = _Imported(top)
            elif node.level or not node.module or alias.name == "*":  # type: ignore[attr-defined]
                if alias.name != "*":
                    env[alias.asname or alias.name] = _Unknown()
            else:
                env[alias.asname or alias.name] = _Imported(f"{node.module}.{alias.name}")  # type: ignore[attr-defined]
        return _Path(path.atoms, env)

    def _substitute(self, expr: ast.AST, env: Dict[str, ast.AST]) -> ast.AST:
        if not env:
            return expr
        budget = [_MAX_EXPR_NODES]
        return _substituted(expr, env, 0, budget)

    # ------------------------------------------------------------------ returns
    def _return(self, value: Optional[ast.AST], path: _Path, handler: bool) -> None:
        pending: List[Tuple[Optional[ast.AST], _Path]] = [
            (None if value is None else self._substitute(value, path.env), path)
        ]
        while pending:
            expr, current = pending.pop()
            if isinstance(expr, ast.IfExp):
                self._tick(pending)
                for branch, positive in ((expr.body, True), (expr.orelse, False)):
                    for assumed in _clauses(expr.test, positive, 0):
                        pending.append((branch, _Path(current.atoms + assumed, current.env)))
                continue
            self.terminals.append(self._classify_return(expr, current, handler))

    def _classify_return(self, expr: Optional[ast.AST], path: _Path, handler: bool) -> _Terminal:
        if expr is None or isinstance(expr, ast.Constant):
            return _Terminal(NEUTRAL if handler else REJECT, path)
        if isinstance(expr, ast.Call):
            delegated = self._delegation(expr, path)
            if delegated is not None:
                return delegated
        mapped = self._mapped_objects(expr)
        if mapped is not None:
            return _Terminal(OBJECTS, path, objects=tuple(mapped))
        if isinstance(expr, (ast.Name, ast.Attribute, _Imported)) and not self._mentions_arguments(expr):
            if not (isinstance(expr, ast.Name) and expr.id in self.params):
                return _Terminal(OBJECTS, path, objects=(expr,))
        return _Terminal(OPAQUE, path)

    def _delegation(self, call: ast.Call, path: _Path) -> Optional[_Terminal]:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "find_class":
            receiver = func.value
            if (
                isinstance(receiver, ast.Call)
                and "builtins.super" in self._names_of(receiver.func)
            ):
                arguments = _module_and_name(call, 0)
                parent, _ = _definer_above(self.local)
                return self._resolving(path, arguments, via_parent=True, parent=parent)
            if isinstance(receiver, (ast.Name, ast.Attribute)):
                if self._names_of(receiver) & UNPICKLER_BASES:
                    return self._resolving(path, _module_and_name(call, 1), via_parent=True)
                base = self._attribute_owner(receiver) if isinstance(receiver, ast.Name) else None
                if base is not None and base is not self.local and self.self_param != getattr(receiver, "id", None):
                    parent = base if "find_class" in base.members else _definer_above(base)[0]
                    return self._resolving(path, _module_and_name(call, 1), via_parent=True, parent=parent)
            return _Terminal(OPAQUE, path)
        if "builtins.getattr" in self._names_of(func):
            if len(call.args) not in (2, 3) or call.keywords:
                return _Terminal(OPAQUE, path)
            if len(call.args) == 3 and not isinstance(call.args[2], ast.Constant):
                return _Terminal(OPAQUE, path)
            holder, name = call.args[0], call.args[1]
            module_key = self._imported_module_key(holder)
            if module_key is not None:
                return self._resolving(path, (module_key, name), via_parent=False)
            if not self._mentions_arguments(holder):
                fixed = self._names_of(holder)
                if len(fixed) == 1 and not any("(" in f for f in fixed):
                    terminal = self._resolving(path, (None, name), via_parent=False)
                    if terminal.kind == RESOLVE:
                        terminal.fixed_module = next(iter(fixed))
                    return terminal
            return _Terminal(OPAQUE, path)
        return None

    def _imported_module_key(self, holder: ast.AST) -> Optional[ast.AST]:
        """``sys.modules[m]``, ``sys.modules.get(m)``, ``importlib.import_module(m)``, ``__import__(m)``: m."""
        if isinstance(holder, ast.Subscript) and "sys.modules" in self._names_of(holder.value):
            key = holder.slice
            return getattr(key, "value", key) if type(key).__name__ == "Index" else key
        if isinstance(holder, ast.Call) and holder.args:
            names = self._names_of(holder.func)
            if names & {"sys.modules.get", "importlib.import_module", "builtins.__import__", "importlib.__import__"}:
                return holder.args[0]
        return None

    def _resolving(
        self,
        path: _Path,
        arguments: Optional[Tuple[Optional[ast.AST], Optional[ast.AST]]],
        via_parent: bool,
        parent: Optional[LocalDef] = None,
    ) -> _Terminal:
        if arguments is None:
            return _Terminal(OPAQUE, path)
        module_key, name_key = arguments
        terminal = _Terminal(RESOLVE, path, via_parent=via_parent, parent=parent)
        for key, slot in ((module_key, "module"), (name_key, "name")):
            if key is None:
                continue
            constant = _constant_str(key)
            if constant is not None:
                setattr(terminal, f"fixed_{slot}", constant)
            elif not self._mentions_arguments(key) or any(isinstance(n, (_Unknown, _ElementOf)) for n in _walk(key)):
                return _Terminal(OPAQUE, path)
            setattr(terminal, f"key_{slot}", key)
        return terminal

    def _mapped_objects(self, expr: ast.AST) -> Optional[List[ast.AST]]:
        """``SAFE[(module, name)]``, ``SAFE[module][name]``, ``SAFE.get(name)`` on a literal mapping: its values."""
        node = expr
        defaults: List[ast.AST] = []
        steps = 0
        while steps < 8:
            base, key, default = _lookup_parts(node)
            if base is None:
                break
            if default is not None:
                defaults.append(default)
            node = base
            steps += 1
        if steps == 0:
            return None
        mapping = self._evaluate(node)
        if not isinstance(mapping, _DictValue):
            return None
        leaves: List[ast.AST] = list(defaults)
        stack: List[Tuple[_DictValue, int]] = [(mapping, 1)]
        while stack:
            current, level = stack.pop()
            for value in current.items.values():
                inner = None
                if level < steps:
                    inner = self._evaluate(value, scope_cls=current.scope_cls, method_scope=False)
                if isinstance(inner, _DictValue):
                    stack.append((inner, level + 1))
                else:
                    leaves.append(value)
            if len(leaves) > _MAX_EXPR_NODES:
                raise _GiveUp
        return leaves
