"""PKL104: judging a find_class from its paths: which globals each admits, under which conditions."""

from __future__ import annotations

import ast
from typing import FrozenSet, List, Optional, Set, Tuple

from ...shapes import all_args, decorator_names, positional_parameters
from .paths import _PathWalk
from .model import (
    ADMITS,
    DENY_LIST,
    Grade,
    OBJECTS,
    OPAQUE,
    PREFIX,
    REJECT,
    RESOLVE,
    RESTRICTS_NOTHING,
    RESTRICTS_NOTHING_IMPORT,
    RESTRICTS_NOTHING_PARENT,
    _Constraint,
    _DictValue,
    _ElementOf,
    _GiveUp,
    _MAX_WORK,
    _NEGATED_OPS,
    _PATTERN_FUNCTIONS,
    _PATTERN_METHODS,
    _Path,
    _STRING_TESTS,
    _Terminal,
    _UNKNOWN_VALUE,
    _admitted,
    _constant_str,
    _dangers,
    _last_binding,
    _lookup_parts,
    _members,
    _typed,
    _walk,
    dangerous_global,
)


class _MethodGrader(_PathWalk):
    """Reads one class's find_class: walks its paths, reads the conditions of each, judges them."""

    # ------------------------------------------------------------------ entry
    def grade(self, installed: Optional[ast.AST] = None) -> Grade:
        """The grade of the class's find_class, or of ``installed``, a function of the module set as
        one unpickler's find_class (``u.find_class = server_find_global``: called with ``(module,
        name)``, or with ``self`` first when it is a method bound to its object)."""
        method = installed if installed is not None else _last_binding(self.local.node, "find_class")  # type: ignore[arg-type]
        if not isinstance(method, ast.FunctionDef):
            return Grade(self.local, None)  # an assignment, an async def, a conditional def
        decorators = decorator_names(method)
        positional = positional_parameters(method)
        if decorators - {"staticmethod", "classmethod"}:
            return Grade(self.local, method)
        offset = 0 if "staticmethod" in decorators else 1
        if installed is not None:
            offset = 1 if positional[:1] in (["self"], ["cls"]) else 0
        if len(positional) < offset + 2:
            return Grade(self.local, method)
        self.self_param = positional[0] if offset else None
        self.module_param, self.name_param = positional[offset], positional[offset + 1]
        self.params = {a.arg for a in all_args(method.args)}
        try:
            live = self.walk(method.body, [_Path((), {})], False)
            for path in live:
                self.terminals.append(_Terminal(REJECT, path))  # falling off the end returns None
            problem, sound = self._judge()
        except _GiveUp:
            return Grade(self.local, method)
        return Grade(self.local, method, problem, sound, frozenset(self.self_attributes))

    # ------------------------------------------------------------------ judging
    def _judge(self) -> Tuple[Optional[str], bool]:
        terminals = self.terminals
        rejects = any(t.kind == REJECT for t in terminals)
        opaque = any(t.kind == OPAQUE for t in terminals)
        resolving = [t for t in terminals if t.kind == RESOLVE]
        unguarded = [t for t in resolving if t.parent is None]
        dynamic = [t for t in unguarded if t.fixed_module is None and t.fixed_name is None]
        if not rejects and not opaque and dynamic and len(unguarded) == len(resolving):
            if any(self._renames(t) for t in unguarded):
                # It renames globals (a compatibility shim for moved classes); it never
                # tried to restrict them: not reported, not trusted.
                return None, False
            admitting = [t for t in terminals if t.kind in (RESOLVE, OBJECTS)]
            if all(t.via_parent for t in admitting):
                return RESTRICTS_NOTHING_PARENT, False
            if all(t.kind == RESOLVE and not t.via_parent for t in admitting):
                return RESTRICTS_NOTHING_IMPORT, False
            return RESTRICTS_NOTHING, False
        problems: List[Tuple[int, str]] = []
        sound = not opaque
        for terminal in terminals:
            if terminal.kind == RESOLVE:
                found, path_sound = self._judge_resolve(terminal)
            elif terminal.kind == OBJECTS:
                found, path_sound = self._judge_objects(terminal)
            else:
                continue
            problems.extend(found)
            sound = sound and path_sound
        if problems:
            return min(problems)[1], False
        return None, sound

    def _renames(self, terminal: _Terminal) -> bool:
        """Whether a delegation passes on another module or name than it was asked for."""
        for key, param in ((terminal.key_module, self.module_param), (terminal.key_name, self.name_param)):
            if key is not None and not (isinstance(key, ast.Name) and key.id == param):
                return True
        return False

    def _judge_resolve(self, terminal: _Terminal) -> Tuple[List[Tuple[int, str]], bool]:
        constraint = self._read_conditions(terminal)
        if terminal.parent is not None:
            # The parent's own find_class restricts further; it is graded on its own.
            parent_sound = self.checks.grade_of_parent(terminal.parent, self.resolver).sound
            if parent_sound:
                return [], True
            if constraint.opaque:
                return [], False
            admitted = _admitted(constraint, terminal)
            return [], admitted.pairs is not None and not _dangers(admitted)
        if constraint.opaque:
            return [], False
        admitted = _admitted(constraint, terminal)
        dangers = _dangers(admitted)
        if dangers:
            return [(0, ADMITS.format(global_name=dangers[0]))], False
        if admitted.pairs is not None:
            return [], True
        if admitted.modules is not None or admitted.names is not None:
            return [], False  # whole harmless modules, or names from any module: silent, not trusted
        if constraint.prefix:
            return [(1, PREFIX)], False
        if constraint.deny:
            return [(2, DENY_LIST)], False
        return [], False

    def _judge_objects(self, terminal: _Terminal) -> Tuple[List[Tuple[int, str]], bool]:
        known = True
        found: List[str] = []
        for obj in terminal.objects:
            names, resolved = self._object_names(obj)
            known = known and resolved
            for qualified in names:
                module, _, name = qualified.rpartition(".")
                if module and dangerous_global(module, name):
                    found.append(qualified)
        if found:
            return [(0, ADMITS.format(global_name=sorted(found)[0]))], False
        return [], known

    # ------------------------------------------------------------------ reading conditions
    def _read_conditions(self, terminal: _Terminal) -> _Constraint:
        constraint = _Constraint()
        key_module = terminal.key_module
        if terminal.fixed_module is not None or key_module is None:
            key_module = ast.Name(id=self.module_param, ctx=ast.Load())
        key_name = terminal.key_name
        if terminal.fixed_name is not None or key_name is None:
            key_name = ast.Name(id=self.name_param, ctx=ast.Load())
        keys = (self._shape(key_module), self._shape(key_name))
        self._work += len(terminal.path.atoms)
        if self._work > 4 * _MAX_WORK:
            raise _GiveUp
        for atom, positive in terminal.path.atoms:
            self._read_atom(atom, positive, keys, constraint)
        return constraint

    def _role(self, expr: ast.AST, keys: Tuple[object, object]) -> Optional[Tuple[str, str]]:
        """Which of module, name, (module, name) or "module.name" ``expr`` is."""
        shape = self._shape(expr)
        if shape == keys[0]:
            return ("modules", "")
        if shape == keys[1]:
            return ("names", "")
        if isinstance(expr, (ast.Tuple, ast.List)) and len(expr.elts) == 2:
            first, second = self._shape(expr.elts[0]), self._shape(expr.elts[1])
            if (first, second) == keys:
                return ("pairs", "")
            if (second, first) == keys:
                return ("pairs", "reversed")
        separator = self._joined_separator(expr, keys)
        if separator is not None:
            return ("dotted", separator)
        return None

    def _joined_separator(self, expr: ast.AST, keys: Tuple[object, object]) -> Optional[str]:
        """The separator of ``f"{module}.{name}"``, ``module + "." + name``, ``".".join((module, name))``."""
        parts: Optional[List[ast.AST]] = None
        if isinstance(expr, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.FormattedValue) else v for v in expr.values]
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            parts = []
            stack: List[ast.AST] = [expr]
            while stack:
                node = stack.pop()
                if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and len(parts) + len(stack) < 8:
                    stack.extend((node.right, node.left))
                else:
                    parts.append(node)
        elif (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "join"
            and _constant_str(expr.func.value) is not None
            and len(expr.args) == 1
            and isinstance(expr.args[0], (ast.Tuple, ast.List))
            and len(expr.args[0].elts) == 2
        ):
            separator = _constant_str(expr.func.value)
            first, second = (self._shape(e) for e in expr.args[0].elts)
            return separator if (first, second) == keys else None
        if parts is None or len(parts) != 3:
            return None
        separator = _constant_str(parts[1])
        if separator and (self._shape(parts[0]), self._shape(parts[2])) == keys:
            return separator
        return None

    def _read_atom(self, atom: ast.AST, positive: bool, keys: Tuple[object, object], out: _Constraint) -> None:
        if not self._mentions_arguments(atom):
            return  # a flag of the unpickler, a counter: says nothing about the global
        shape = self._shape(atom)
        if shape in keys:
            return  # ``if not module: raise`` only rejects the empty name
        if isinstance(atom, ast.Compare) and len(atom.ops) == 1:
            if self._read_comparison(atom.left, atom.ops[0], atom.comparators[0], positive, keys, out):
                return
        if isinstance(atom, ast.BoolOp) and not positive:
            out.deny = True  # ``not (module == "os" and name == "system")``: a listed exception
            return
        lookup = self._mapping_lookup(atom, keys)
        if lookup is not None:
            kind, values = lookup
            if positive:
                out.narrow(kind, values)
            else:
                out.deny = True
            return
        if isinstance(atom, ast.Compare) and len(atom.ops) == 1 and isinstance(atom.ops[0], _NEGATED_OPS):
            positive = not positive  # ``module.split(".")[0] not in SAFE`` failing admits by prefix
        if self._string_test_on(atom, keys[0]):
            if positive:
                out.prefix = True
            else:
                out.deny = True
            return
        if not positive and self._string_test_on(atom, keys[1]):
            out.deny = True
            return
        out.opaque = True

    def _read_comparison(
        self,
        left: ast.AST,
        op: ast.cmpop,
        right: ast.AST,
        positive: bool,
        keys: Tuple[object, object],
        out: _Constraint,
    ) -> bool:
        if isinstance(op, (ast.In, ast.NotIn)):
            admits = positive == isinstance(op, ast.In)
            role = self._role(left, keys)
            if role is not None:
                if not admits:
                    out.deny = True
                    return True
                values = self._collection_for(role, right, keys)
                if values is None:
                    return False
                out.narrow(*values)
                return True
            return False
        if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            admits = positive == isinstance(op, (ast.Eq, ast.Is))
            for subject, other in ((left, right), (right, left)):
                role = self._role(subject, keys)
                if role is None:
                    continue
                if not admits:
                    out.deny = True
                    return True
                values = self._equal_values(role, other)
                if values is None:
                    return False
                out.narrow(*values)
                return True
            if isinstance(right, ast.Constant) and right.value is None:
                lookup = self._mapping_lookup(left, keys)
                if lookup is not None:
                    # ``SAFE.get(module) is not None``
                    if admits:
                        out.deny = True
                    else:
                        out.narrow(*lookup)
                    return True
        return False

    def _collection_for(
        self, role: Tuple[str, str], collection: ast.AST, keys: Tuple[object, object]
    ) -> Optional[Tuple[str, FrozenSet]]:
        kind, detail = role
        if kind == "names":
            nested = self._names_by_module(collection, keys)
            if nested is not None:
                return "pairs", nested
        values = _members(self._evaluate(collection))
        if values is None:
            return None
        return _typed(kind, detail, values)

    def _equal_values(self, role: Tuple[str, str], other: ast.AST) -> Optional[Tuple[str, FrozenSet]]:
        kind, detail = role
        if isinstance(other, _ElementOf):
            values = _members(self._evaluate(other.collection))
        else:
            value = self._evaluate(other)
            values = _members((value,)) if value is not _UNKNOWN_VALUE else None
        if values is None:
            return None
        return _typed(kind, detail, values)

    def _names_by_module(
        self, collection: ast.AST, keys: Tuple[object, object]
    ) -> Optional[FrozenSet[Tuple[str, str]]]:
        """``SAFE[module]`` or ``SAFE.get(module, ())`` of a literal mapping: its (module, name) pairs."""
        base, key, default = _lookup_parts(collection)
        if base is None or key is None or self._shape(key) != keys[0]:
            return None
        if default is not None and _members(self._evaluate(default)) != frozenset():
            return None
        mapping = self._evaluate(base)
        if not isinstance(mapping, _DictValue):
            return None
        pairs: Set[Tuple[str, str]] = set()
        for module, value in mapping.items.items():
            names = _members(self._evaluate(value, scope_cls=mapping.scope_cls, method_scope=False))
            if not isinstance(module, str) or names is None:
                return None
            pairs.update((module, n) for n in names if isinstance(n, str))
        return frozenset(pairs)

    def _mapping_lookup(self, expr: ast.AST, keys: Tuple[object, object]) -> Optional[Tuple[str, FrozenSet]]:
        """``SAFE.get(key)`` or ``SAFE[key]`` on a literal mapping: the key must be among its keys."""
        base, key, _ = _lookup_parts(expr)
        if base is None or key is None:
            return None
        role = self._role(key, keys)
        if role is None:
            return None
        mapping = self._evaluate(base)
        if not isinstance(mapping, _DictValue):
            return None
        return _typed(role[0], role[1], frozenset(mapping.items))

    def _string_test_on(self, atom: ast.AST, key: object) -> bool:
        """Whether ``atom`` tests a part, prefix or pattern of the value with shape ``key``."""
        for node in _walk(atom):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in _STRING_TESTS and self._shape(func.value) == key:
                    return True
                if any(self._shape(a) == key for a in node.args):
                    if isinstance(func, ast.Attribute) and func.attr in _PATTERN_METHODS:
                        return True
                    if self._names_of(func) & _PATTERN_FUNCTIONS:
                        return True
            elif isinstance(node, ast.Subscript):
                if self._shape(node.value) == key:
                    return True
            elif isinstance(node, ast.Compare):
                for op, comparator in zip(node.ops, node.comparators):
                    if isinstance(op, (ast.In, ast.NotIn)) and self._shape(comparator) == key:
                        return True
        return False
