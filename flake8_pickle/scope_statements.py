"""The resolver's walk: statements in source order (bindings, branches merged linearly, loops to a
bounded fixpoint, deferred function bodies) and expressions with an explicit stack.

A mixin of :class:`flake8_pickle.scope.Resolver`, never used alone.
"""

from __future__ import annotations

import ast
from typing import (
    Callable,
    Dict,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from .catalog.handoff import APPLIER_WORDS
from .catalog.conventions import (
    STORING_ALL_METHODS,
    STORING_METHODS,
    EXPECTS_EXCEPTION,
    NO_RETURN,
)
from .symbols import (
    EMPTY,
    LocalDef,
    LocalInstance,
    Symbols,
    MISSING as _MISSING,
    portable,
)
from .shapes import (
    node_key,
    block_statements,
    breaks_out,
    carried_names,
    literal_rows,
    all_args,
    decorator_names,
    parameter_defaults,
    positional_args,
    ends_flow,
    is_classmethod,
    is_staticmethod,
    target_names,
)


from .scope_model import (
    _MATCH,
    _TRY_STAR,
    _COMPREHENSIONS,
    _LEAVES,
    _FUNCTION,
    _NOT_CHILDREN,
    Scope,
    _import_target,
    _CHILD_FIELDS,
    _ASSERT_RAISES,
    _CONTEXT_MANAGERS,
    _WALKED_FIRST,
    _LOOP_PASSES,
)


#: Argument displays that may hold a handed function (``(name, pickle.loads)``, ``*[f]``, ``**{"f": f}``).
_DISPLAYS = frozenset({ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Starred})


class Statements:
    """The walk of a module (see the module docstring)."""

    # ------------------------------------------------------------------ statements
    def _walk_block(self, statements: Sequence[ast.stmt]) -> None:
        depth = len(self.guards)
        for statement in statements:
            self._walk_stmt(statement)
            self._note_guard(statement)
            if type(statement) is ast.Try and statement.handlers and all(
                ends_flow(h.body) or self._ends_in_noreturn_call(h.body) for h in statement.handlers
            ):
                # ``try: verify(sig, body) except BadSignature: return 403``: past the ``try`` only
                # what its body checked got through.
                for inner in statement.body:
                    self._note_guard(inner)
        del self.guards[depth:]

    def _note_guard(self, statement: ast.stmt) -> None:
        """A check that guards what follows ``statement`` in its block."""
        if self.call_guard_hook is not None and isinstance(statement, (ast.Expr, ast.Assign)) and isinstance(statement.value, ast.Call):
            if self.call_guard_hook(statement.value):
                self.guards.append(statement.value)  # ``verify(data, sig)`` raised unless verified
        if isinstance(statement, ast.If):
            polarity = self._guard_polarity(statement)
            failing = statement.orelse if polarity else statement.body
            if polarity is not None and (ends_flow(failing) or self._ends_in_noreturn_call(failing)):
                # ``if not verified: raise`` guards everything after it in this block.
                self.guards.append(statement.test)

    def _ends_in_noreturn_call(self, block: Sequence[ast.stmt]) -> bool:
        """``abort(403)``, ``sys.exit(1)``: a last statement that never returns."""
        if not block or not isinstance(block[-1], ast.Expr) or not isinstance(block[-1].value, ast.Call):
            return False
        return bool(self.qualified_names(block[-1].value.func) & NO_RETURN)

    def _guard_polarity(self, node: ast.If) -> Optional[bool]:
        if self.guard_hook is None or (len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)):
            return None
        return self.guard_hook(node.test)

    def _walk_stmt(self, node: ast.stmt) -> None:
        handler = _STATEMENT_HANDLERS.get(type(node))
        if handler is not None:
            handler(self, node)
        else:
            self._walk_generic_stmt(node)

    def _walk_generic_stmt(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self._walk_stmt(child)
            elif isinstance(child, ast.expr):
                self._walk_expr(child)
            else:
                self._walk_generic_stmt(child)

    def _stmt_expr(self, node: ast.Expr) -> None:
        self._walk_expr(node.value)
        if type(node.value) is ast.Call and self.scope is self.module_scope:
            self.fill_registry_by_call(node.value)  # ``register("pickle", load_pickle)`` at import

    def _stmt_raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self._walk_expr(node.exc)
        if node.cause is not None:
            self._walk_expr(node.cause)

    def _stmt_assert(self, node: ast.Assert) -> None:
        self._walk_expr(node.test)
        if node.msg is not None:
            self._walk_expr(node.msg)

    def _stmt_nothing(self, node: ast.stmt) -> None:
        """``pass``, ``break``, ``continue``: nothing to bind or visit."""

    def _stmt_return(self, node: ast.Return) -> None:
        if node.value is not None:
            self._walk_expr(node.value)
        for hook in self._on_return:
            hook(node, self)

    def _stmt_assign(self, node: ast.Assign) -> None:
        # One chain cache for the walk of the value and its binding: ``x = a.b.c()`` resolves
        # each link once (a binding made in between, by a walrus, empties the cache).
        owner = self._chain_cache is None
        if owner:
            self._chain_cache = {}
        try:
            self._walk_expr(node.value)
            for hook in self._on_assign:
                hook(node, self)
            value = self.value_of(node.value)
        finally:
            if owner:
                self._chain_cache = None
        for target in node.targets:
            self._bind_target(target, value, node.value)

    def _stmt_annassign(self, node: ast.AnnAssign) -> None:
        self._walk_expr(node.annotation)
        if node.value is not None:
            self._walk_expr(node.value)
            value = self.value_of(node.value)
            if isinstance(node.target, ast.Name):
                value = value | self.annotated_instance(node.annotation)
            self._bind_target(node.target, value, node.value)
        elif not isinstance(node.target, ast.Name):
            self._bind_target(node.target, EMPTY)
        elif self.scope.kind == "class" and self.scope.cls is not None:
            # ``sock: socket.socket`` in a class body (a dataclass field, a declared attribute): no
            # class attribute, but what the objects' ``sock`` holds, whoever stores it.
            declared = self.annotated_instance(node.annotation)
            if declared:
                self.scope.cls.declared[node.target.id] = declared

    def _stmt_augassign(self, node: ast.AugAssign) -> None:
        self._walk_expr(node.value)
        if isinstance(node.target, ast.Name):
            # ``data += chunk``: the result holds both; it is no longer a module or function.
            old = self.lookup(node.target.id)
            kept = frozenset(s for s in old if not isinstance(s, (str, LocalDef)))
            self.bind(node.target.id, kept | self.facts_of(node.value))
        else:
            # ``self.buffer += data``: the attribute (or element) now also holds what was added.
            self._bind_target(node.target, self.facts_of(node.value))

    def _stmt_delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._bind_target(target, EMPTY)

    def _stmt_import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imported_roots.add(alias.name.split(".")[0])
            parts = alias.name.split(".")
            self.imported_modules.update(".".join(parts[: i + 1]) for i in range(len(parts)))
            if alias.asname:
                self.bind(alias.asname, frozenset((alias.name,)))
            else:
                top = alias.name.split(".")[0]
                self.bind(top, frozenset((top,)))

    def _stmt_importfrom(self, node: ast.ImportFrom) -> None:
        level = node.level or 0
        if level == 0 and node.module:
            self.imported_roots.add(node.module.split(".")[0])
        for alias in node.names:
            if alias.name == "*":
                if level == 0 and node.module:
                    self.scope.star_imports.append(node.module)
                continue
            target = _import_target(node.module, level, alias.name, self.package)
            if level and self.package is not None:
                self.imported_roots.add(target.split(".")[0])
            value = frozenset((target,))
            if self.aliases is not None:
                more = self.aliases(target)
                if more:
                    value = value | more
            self.bind(alias.asname or alias.name, value)

    def _stmt_global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def _stmt_nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def _stmt_if(self, node: ast.If) -> None:
        # An elif chain nests in the AST as deep as it is long: flatten it, not recurse.
        branches: List[Sequence[ast.stmt]] = []
        current: ast.If = node
        while True:
            self._walk_expr(current.test)
            branches.append(current.body)
            orelse = current.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ast.If):
                current = orelse[0]
                continue
            branches.append(orelse)
            break
        polarity = self._guard_polarity(node)
        guarded = None if polarity is None else (0 if polarity else 1)
        fallthrough = not branches[-1]
        if fallthrough:
            # No ``else``: the state before the chain is the last outcome, and the last test's body
            # is the branch merged in place (see _merge_in_place).
            branches.pop()
        self._walk_branches(branches, include_fallthrough=fallthrough, guarded=(guarded, node.test))

    def _stmt_loop(self, node: Union[ast.For, ast.AsyncFor, ast.While]) -> None:
        if (self.deep or self.value_hook is not None) and not self.quiet and self._loop_depth == 0:
            carried = carried_names(node)
            if carried:
                # Follow the back edge: ``a = b; b = data`` gives ``a`` the data on the next pass.
                # Earlier passes are quiet; the outermost loop iterates, inner ones ride along.
                self._loop_depth += 1
                try:
                    for _ in range(_LOOP_PASSES):
                        mark = len(self._journal)
                        self.walk_quietly(lambda: self._loop_pass(node))
                        changes = self._changes_since(mark)
                        if not any(
                            name in carried and scope.bindings.get(name, _MISSING) != old
                            for scope, name, old in changes.values()
                        ):
                            break
                finally:
                    self._loop_depth -= 1
        self._loop_depth += 1
        try:
            self._loop_pass(node)
        finally:
            self._loop_depth -= 1
        if node.orelse and breaks_out(node.body):
            # ``else`` runs only when no ``break`` left the loop: what a ``break`` carried out stays.
            self._walk_branches([node.orelse], include_fallthrough=True)
        else:
            self._walk_block(node.orelse)

    def _loop_pass(self, node: Union[ast.For, ast.AsyncFor, ast.While]) -> None:
        """One pass of a loop body from the current state, merged with not running it."""
        mark = len(self._journal)
        if isinstance(node, ast.While):
            self._walk_expr(node.test)
        else:
            self._walk_expr(node.iter)
            positions = literal_rows(node.target, node.iter)
            if positions is not None:
                # ``for a, b in [(x, y), ...]``: each name gets its own column.
                for target, column in zip(node.target.elts, positions):  # type: ignore[attr-defined]
                    value: Symbols = EMPTY
                    for cell in column:
                        value = value | self.value_of(cell)
                    self._bind_target(target, value, column[0] if len(column) == 1 else None)
            else:
                items = self.elements_of(node.iter)
                self._bind_target(node.target, items | self.facts_of(node.iter))
        self._walk_block(node.body)
        self._merge_in_place(mark, [], live=True, include_fallthrough=True)

    def _stmt_with(self, node: Union[ast.With, ast.AsyncWith]) -> None:
        expects = False
        for item in node.items:
            self._walk_expr(item.context_expr)
            if item.optional_vars is not None:
                # __enter__ of files, sockets, locks, pools and sessions returns self; a
                # ``@contextmanager`` function of the module gives what it yields.
                self._bind_target(item.optional_vars, self.value_of(item.context_expr) | self._managed(item.context_expr))
            if isinstance(item.context_expr, ast.Call):
                names = self.qualified_names(item.context_expr.func)
                expects = expects or any(n in EXPECTS_EXCEPTION or n.endswith(_ASSERT_RAISES) for n in names)
        self.expecting_exception += expects
        try:
            self._walk_block(node.body)
        finally:
            self.expecting_exception -= expects

    def _stmt_try(self, node: ast.Try) -> None:
        mark = len(self._journal)
        self._walk_block(node.body)
        self._walk_block(node.orelse)
        live = not ends_flow(node.orelse or node.body)
        if not node.handlers:
            self._merge_in_place(mark, [], live, include_fallthrough=False)
            self._walk_block(node.finalbody)
            return
        body_changes = self._changes_since(mark)
        body_values = self._current_values(body_changes)
        outcomes: List[Tuple[Dict, Dict]] = []
        if live:
            outcomes.append((body_changes, body_values))
        for index, handler in enumerate(node.handlers):
            # The exception may come from anywhere in the body: start from either state.
            if index == 0:
                self._widen(body_changes)
            else:
                self._restore(body_changes, extra=body_values)
            if handler.type is not None:
                self._walk_expr(handler.type)
            if handler.name:
                self.bind(handler.name, EMPTY)
            self._walk_block(handler.body)
            if index == len(node.handlers) - 1:
                self._merge_in_place(mark, outcomes, not ends_flow(handler.body), include_fallthrough=False)
                break
            changes = self._changes_since(mark)
            if not ends_flow(handler.body):
                outcomes.append((changes, self._current_values(changes)))
            self._restore(changes)
        self._walk_block(node.finalbody)

    def _stmt_match(self, node: ast.AST) -> None:
        self._walk_expr(node.subject)  # type: ignore[attr-defined]
        mark = len(self._journal)
        outcomes: List[Tuple[Dict, Dict]] = []
        for case in node.cases:  # type: ignore[attr-defined]
            start = len(self._journal)
            for sub in ast.walk(case.pattern):
                name = getattr(sub, "name", None) or getattr(sub, "rest", None)
                if isinstance(name, str):
                    self.bind(name, EMPTY)
                if isinstance(sub, ast.expr):
                    self._walk_expr(sub)
            if case.guard is not None:
                self._walk_expr(case.guard)
            self._walk_block(case.body)
            changes = self._changes_since(start)
            if not ends_flow(case.body):
                outcomes.append((changes, self._current_values(changes)))
            self._restore(self._changes_since(mark))
        self._merge_outcomes(mark, outcomes, include_fallthrough=True)

    def _stmt_function(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> None:
        for decorator in node.decorator_list:
            self._walk_expr(decorator)
        self._walk_arguments_outside(node.args)
        if node.returns is not None:
            self._walk_expr(node.returns)
        enclosing_cls = self.scope.cls if self.scope.kind == "class" else None
        entry = (node, list(self.scopes), enclosing_cls)
        if enclosing_cls is not None and node.name in _WALKED_FIRST:
            # Attribute types come from __init__: walk it before the class's other methods.
            self._deferred.insert(self._class_deferral_start, entry)
        else:
            self._deferred.append(entry)
        in_function = self._in_function()
        if in_function and self.nonlocal_possible and self.scope.kind in ("function", "lambda"):
            # ``nonlocal blob`` in a nested function rebinds this scope's ``blob`` whenever it runs:
            # its later reads here see what the nested body stores (walked after this one).
            self.scope.rebound.update(
                name for statement in block_statements(node.body) if isinstance(statement, ast.Nonlocal) for name in statement.names
            )
        local = LocalDef(node, "function", node.name, nested=in_function and node.name not in self.scope.globals)
        if not in_function:
            self._top_level[id(node)] = local
            if self.scope is self.module_scope:
                self._module_functions.add(node.name)
        self.bind(node.name, frozenset((local,)))
        if node.decorator_list and not in_function:
            self.fill_registry_by_decorators(node, local)

    def _walk_arguments_outside(self, args: ast.arguments) -> None:
        """Defaults and annotations are evaluated where the function is defined."""
        for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
            self._walk_expr(default)
        for arg in all_args(args):
            if arg.annotation is not None:
                self._walk_expr(arg.annotation)

    def _stmt_class(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self._walk_expr(decorator)
        for base in node.bases:
            self._walk_expr(base)
        for keyword in node.keywords:
            self._walk_expr(keyword.value)
        bases = tuple(self.symbols_of(b) for b in node.bases)
        in_function = self._in_function()
        local = LocalDef(node, "class", node.name, bases=bases, nested=in_function and node.name not in self.scope.globals)
        self.classes.append(local)
        if not in_function:
            self._top_level[id(node)] = local
            if self.scope is self.module_scope:
                self._class_names.add(node.name)
        seeded = self.seeded_attrs.get(node_key(node))
        if seeded:
            # Qualified names now; the module's own objects once they are all defined (_seed_local_state).
            for attr, symbols in seeded.items():
                names = frozenset(symbol for symbol in symbols if portable(symbol))
                if names:
                    local.instance_attrs[attr] = names
        scope = Scope("class", node, cls=local)
        local.members = scope.bindings
        self.scopes.append(scope)
        saved_start, self._class_deferral_start = self._class_deferral_start, len(self._deferred)
        try:
            self._walk_block(node.body)
        finally:
            self.scopes.pop()
            self._class_deferral_start = saved_start
        self.bind(node.name, frozenset((local,)))
        if node.decorator_list and not in_function:
            self.fill_registry_by_decorators(node, local)  # ``@register("pickle") class PicklePlugin``
        for listener in self.listeners:
            listener.on_class(node, local, self)

    def _run_deferred(self, node: ast.AST, chain: List[Scope], cls: Optional[LocalDef]) -> None:
        saved_scopes, saved_journal, saved_guards = self.scopes, self._journal, self.guards
        self.guards = []  # a body runs when called, not where it is defined
        kind = "lambda" if isinstance(node, ast.Lambda) else "function"
        scope = Scope(kind, node)
        self.scopes = chain + [scope]
        self._journal = []
        self.function_stack.append(node)
        self._begun.add(node_key(node))
        try:
            args: ast.arguments = node.args  # type: ignore[attr-defined]
            positional = positional_args(args)
            defaults = parameter_defaults(args)
            for index, arg in enumerate(all_args(args)):
                value = self.annotated_instance(arg.annotation) if arg.annotation is not None else EMPTY
                default = defaults.get(arg.arg)
                if default is not None and type(default) in (ast.Name, ast.Attribute):
                    # ``pickle_module=pickle``, ``load=pickle.load``, ``codec=DEFAULT_CODEC``: unless
                    # a caller passes another, it is that (evaluated where the function is defined).
                    value = value | self._default_symbols(default, chain)
                if self.passed:
                    passed = self.passed.get((node_key(node), arg.arg))
                    if passed:
                        # What the module hands the parameter (another walk's functions: this walk's own).
                        value = value | frozenset(s for s in map(self._port, passed) if s is not None)
                if self.param_hook is not None:
                    value = value | self.param_hook(node, arg, index, cls)
                self.bind(arg.arg, value)
            if cls is not None and positional and not is_staticmethod(node):
                first = positional[0].arg
                if is_classmethod(node):
                    self.bind(first, frozenset((cls,)))
                else:
                    self.bind(first, frozenset((LocalInstance(cls),)))
            if isinstance(node, ast.Lambda):
                self._walk_expr(node.body)
            else:
                self._walk_block(node.body)  # type: ignore[attr-defined]
        finally:
            self.function_stack.pop()
            self.scopes, self._journal, self.guards = saved_scopes, saved_journal, saved_guards

    def _default_symbols(self, default: ast.expr, chain: List[Scope]) -> Symbols:
        """What a parameter's default (a name or dotted name) is, read in the scopes around the
        function: its own scope is not among them, so a parameter of the same name is not read."""
        saved = self.scopes
        self.scopes = chain
        try:
            return self.symbols_of(default)
        finally:
            self.scopes = saved

    # ------------------------------------------------------------------ expressions
    def _walk_expr(self, root: ast.AST) -> None:
        """Walk an expression iteratively, binding walrus/comprehension names and calling listeners.

        Children are visited in evaluation order; names and constants, which hold
        nothing to visit, are never pushed.
        """
        if type(root) in _LEAVES:
            return
        if self._chain_cache is None:
            self._chain_cache = {}
            try:
                self._walk_expr_inner(root)
            finally:
                self._chain_cache = None
        else:
            self._walk_expr_inner(root)

    def _walk_expr_inner(self, root: ast.AST) -> None:
        stack: List[object] = [root]
        push, pop = stack.append, stack.pop
        on_call, every_call = self._on_call, self._on_every_call
        applier_words, handed, functions = APPLIER_WORDS, self._handed_words, self._module_functions
        class_names = self._class_names
        while stack:
            item = pop()
            kind = type(item)
            if kind is ast.Attribute:
                value = item.value  # type: ignore[attr-defined]
                if type(value) not in _LEAVES:
                    push(value)
                continue
            if kind is ast.Call:
                # Every listener asks what the callee is: resolve it once for all of them.
                self._memo_expr, self._memo_symbols, self._memo_names = item.func, None, None  # type: ignore[attr-defined]
                hooks = on_call
                if every_call is not None and not self._declared_call(item.func):  # type: ignore[attr-defined]
                    hooks = every_call
                for hook in hooks:
                    hook(item, self)  # type: ignore[arg-type]
                func = item.func  # type: ignore[attr-defined]
                callee_kind = type(func)
                word = func.attr if callee_kind is ast.Attribute else func.id if callee_kind is ast.Name else None
                if word in applier_words:
                    self._call_applied(item)  # type: ignore[arg-type]
                self._memo_expr = self._memo_symbols = self._memo_names = None
                # ``ClientJob(csock, Daemon())``: an object of the module's class handed to another's constructor.
                constructs = callee_kind is ast.Name and func.id in class_names  # type: ignore[attr-defined]
                if handed or functions or constructs or (self.classes and self.function_stack):
                    # A function handed over as an argument (see scope_handoff): plain arguments here,
                    # as cheaply as can be; the elements of displays through the mixin. In a body of a
                    # module with classes, also the object of a method's class handed on (``Server(self)``).
                    arguments = item.args  # type: ignore[attr-defined]
                    if item.keywords:  # type: ignore[attr-defined]
                        arguments = arguments + [keyword.value for keyword in item.keywords]  # type: ignore[attr-defined]
                    for arg in arguments:
                        arg_kind = type(arg)
                        if arg_kind is ast.Name:
                            spelled = arg.id
                            if spelled in functions:
                                self._pass_function(item, arg)  # type: ignore[arg-type]
                            elif spelled == "self" and self.function_stack:
                                self._pass_self(item, arg)  # type: ignore[arg-type]
                            elif handed and (spelled in handed or ("_" in spelled and spelled.rpartition("_")[2] in handed)):
                                self._hand(item, arg)  # type: ignore[arg-type]
                            elif constructs:
                                self._pass_instance(item, arg)  # type: ignore[arg-type]
                        elif arg_kind is ast.Call and constructs and type(arg.func) is ast.Name and arg.func.id in class_names:  # type: ignore[attr-defined]
                            self._pass_instance(item, arg)  # type: ignore[arg-type]
                        elif arg_kind is ast.Attribute:
                            spelled = arg.attr
                            if handed and (spelled in handed or ("_" in spelled and spelled.rpartition("_")[2] in handed)):
                                self._hand(item, arg)  # type: ignore[arg-type]
                            elif type(arg.value) is ast.Name and arg.value.id == "self" and self.function_stack:
                                self._pass_method(item, arg)  # type: ignore[arg-type]
                        elif arg_kind in _DISPLAYS:
                            self._check_arguments(item, arg)  # type: ignore[arg-type]
                if callee_kind is ast.Attribute and (word in STORING_METHODS or word in STORING_ALL_METHODS):
                    self._stored_by_call(func, item.args)  # type: ignore[attr-defined]
                for keyword in reversed(item.keywords):  # type: ignore[attr-defined]
                    if type(keyword.value) not in _LEAVES:
                        push(keyword.value)
                for arg in reversed(item.args):  # type: ignore[attr-defined]
                    if type(arg) not in _LEAVES:
                        push(arg)
                if type(item.func) not in _LEAVES:  # type: ignore[attr-defined]
                    push(item.func)  # type: ignore[attr-defined]
                continue
            if kind is _FUNCTION:
                item()  # type: ignore[operator]
                continue
            if kind is ast.Lambda:
                self._walk_arguments_outside(item.args)  # type: ignore[attr-defined]
                self._deferred.append((item, list(self.scopes), None))  # type: ignore[arg-type]
                continue
            if kind in _COMPREHENSIONS:
                self._schedule_comprehension(item, stack)  # type: ignore[arg-type]
                continue
            if kind is ast.Yield or kind is ast.YieldFrom:
                push(lambda node=item: self._yielded(node))
                inner = item.value  # type: ignore[attr-defined]
                if inner is not None and type(inner) not in _LEAVES:
                    push(inner)
                continue
            if kind is ast.NamedExpr:
                target = item.target  # type: ignore[attr-defined]
                value_node = item.value  # type: ignore[attr-defined]
                push(lambda t=target, v=value_node: self._bind_walrus(t, v))
                push(value_node)
                continue
            fields = _CHILD_FIELDS.get(kind)
            if fields is None:
                fields = _CHILD_FIELDS[kind] = tuple(
                    reversed([f for f in kind._fields if f not in _NOT_CHILDREN])  # type: ignore[attr-defined]
                )
            for name in fields:
                value = getattr(item, name, None)
                if type(value) is list:
                    for element in reversed(value):
                        if type(element) not in _LEAVES and isinstance(element, ast.AST):
                            push(element)
                elif value is not None and type(value) not in _LEAVES and isinstance(value, ast.AST):
                    push(value)

    def _declared_call(self, func: ast.expr) -> bool:
        """Whether a listener that declares its calls (:class:`CallInterest`) acts on this callee."""
        declared = self._declared  # type: ignore[attr-defined]
        if type(func) is ast.Attribute:
            if func.attr in declared.attrs:  # type: ignore[attr-defined]
                return True
            receiver = func.value  # type: ignore[attr-defined]
            if type(receiver) is ast.Name and receiver.id in declared.receivers:  # type: ignore[attr-defined]
                return True
        names, partials, local, prefixes = declared.names, declared.partials, declared.local_functions, declared.prefixes
        for symbol in self.symbols_of(func):
            kind = type(symbol)
            if kind is str:
                if symbol in names or (partials and symbol[-1:] == ")"):  # type: ignore[index, operator]
                    return True
                if prefixes and symbol.startswith(prefixes):  # type: ignore[union-attr]
                    return True
            elif local and kind is LocalDef and symbol.kind in ("function", "lambda", "class"):  # type: ignore[union-attr]
                return True
        return False

    def _yielded(self, node: ast.AST) -> None:
        value = getattr(node, "value", None)
        if (
            self.function_stack
            and isinstance(node, ast.Yield)
            and value is not None
            and decorator_names(self.function_stack[-1]) & _CONTEXT_MANAGERS
        ):
            key = node_key(self.function_stack[-1])
            self.yielded[key] = self.yielded.get(key, EMPTY) | self.symbols_of(value)
        for hook in self._on_yield:
            hook(node, self)

    def _managed(self, context: ast.AST) -> Symbols:
        """What ``with f() as x`` binds when ``f`` is a ``@contextmanager`` generator of the module."""
        if not isinstance(context, ast.Call):
            return EMPTY
        out: Symbols = EMPTY
        for symbol in self.symbols_of(context.func):
            if isinstance(symbol, LocalDef) and symbol.kind == "function" and decorator_names(symbol.node) & _CONTEXT_MANAGERS:
                yielded = self.yielded.get(node_key(symbol.node))
                if yielded is None:
                    self.unresolved_managers.add(node_key(symbol.node))
                else:
                    out = out | yielded
        return out

    def _bind_walrus(self, target: ast.Name, value: ast.AST) -> None:
        symbols = self.value_of(value)
        for scope in reversed(self.scopes):
            if scope.kind != "comprehension":
                self._set(scope, target.id, symbols)
                return

    def _schedule_comprehension(self, node: ast.AST, stack: List[object]) -> None:
        generators: List[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        scope = Scope("comprehension", node)
        inner: List[ast.AST] = []
        for i, gen in enumerate(generators):
            if i > 0:
                inner.append(gen.iter)
            inner.extend(gen.ifs)
        if isinstance(node, ast.DictComp):
            inner.extend([node.key, node.value])
        else:
            inner.append(node.elt)  # type: ignore[attr-defined]

        def elements(iterable: ast.AST) -> Symbols:
            # What iterating gives: a container's elements (``for c in clients``), and the facts.
            return self.elements_of(iterable) | self.facts_of(iterable)

        def enter() -> None:
            first = elements(generators[0].iter)  # evaluated outside, like the iterable
            if self._chain_cache:
                self._chain_cache.clear()
            self.scopes.append(scope)
            for i, gen in enumerate(generators):
                value = first if i == 0 else elements(gen.iter)
                for sub in target_names(gen.target):
                    scope.bindings[sub] = value

        def leave() -> None:
            if self._chain_cache:
                self._chain_cache.clear()
            if self.scopes and self.scopes[-1] is scope:
                self.scopes.pop()

        # Executed in stack order: first iterable outside, then enter, inner parts, leave.
        stack.append(leave)
        stack.extend(reversed(inner))
        stack.append(enter)
        stack.append(generators[0].iter)


_STATEMENT_HANDLERS: Dict[type, Callable[["Statements", ast.AST], None]] = {
    ast.Expr: Statements._stmt_expr,
    ast.Raise: Statements._stmt_raise,
    ast.Assert: Statements._stmt_assert,
    ast.Pass: Statements._stmt_nothing,
    ast.Break: Statements._stmt_nothing,
    ast.Continue: Statements._stmt_nothing,
    ast.Return: Statements._stmt_return,
    ast.Assign: Statements._stmt_assign,
    ast.AnnAssign: Statements._stmt_annassign,
    ast.AugAssign: Statements._stmt_augassign,
    ast.Delete: Statements._stmt_delete,
    ast.Import: Statements._stmt_import,
    ast.ImportFrom: Statements._stmt_importfrom,
    ast.Global: Statements._stmt_global,
    ast.Nonlocal: Statements._stmt_nonlocal,
    ast.If: Statements._stmt_if,
    ast.For: Statements._stmt_loop,
    ast.AsyncFor: Statements._stmt_loop,
    ast.While: Statements._stmt_loop,
    ast.With: Statements._stmt_with,
    ast.AsyncWith: Statements._stmt_with,
    ast.Try: Statements._stmt_try,
    ast.FunctionDef: Statements._stmt_function,
    ast.AsyncFunctionDef: Statements._stmt_function,
    ast.ClassDef: Statements._stmt_class,
}
if _TRY_STAR is not None:
    _STATEMENT_HANDLERS[_TRY_STAR] = Statements._stmt_try
if _MATCH is not None:
    _STATEMENT_HANDLERS[_MATCH] = Statements._stmt_match
