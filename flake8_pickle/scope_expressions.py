"""The resolver's reading of expressions: what an expression may be (its symbols), the qualified
names of a callee, attributes, call results, container elements and annotations.

A mixin of :class:`flake8_pickle.scope.Resolver`: it reads the scopes and bindings the resolver
keeps, and is never used alone.
"""

from __future__ import annotations

import ast
from typing import (
    AbstractSet,
    Dict,
    FrozenSet,
    List,
    Optional,
    Set,
    Tuple,
)

from .catalog.conventions import (
    CONTAINER_ANNOTATIONS,
    ELEMENT_METHODS,
    ELEMENTS_METHODS,
    IMPORTS_BY_DUNDER,
    IMPORTS_BY_NAME,
    METHOD_WRAPPERS,
    REPEATERS,
    SPECIAL_CALLEES,
    TYPING_WRAPPERS,
)
from .symbols import (
    EMPTY,
    Contains,
    Generated,
    LocalDef,
    LocalInstance,
    Symbol,
    Symbols,
    Constructed,
    contained,
    elements,
    names_in,
)
from .shapes import (
    binding_counts,
    block_statements,
    bound_once,
    bound_names,
    default_of,
    defaulted_fields,
    imports_by_name,
    keyword_arg,
    literal_str,
    node_key,
    own_nodes,
    positional_parameters,
    returns_self,
    stored_parameters,
    target_names,
)


from .scope_model import (
    _NO_NAMES,
    PARTIAL_OF,
    _MAX_DEPTH,
    _MAX_CALLS,
    _SYMBOL_LESS,
    Scope,
    _subscript_key,
)


class Expressions:
    """What expressions are, as far as symbols go (see the module docstring)."""

    def qualified_names(self, expr: Optional[ast.AST]) -> AbstractSet[str]:
        """The importable qualified names ``expr`` may evaluate to (do not modify the answer)."""
        if expr is None:
            return _NO_NAMES
        if expr is self._memo_expr:
            # The callee of the call whose listeners are running: every listener asks.
            if self._memo_names is None:
                self._memo_names = frozenset(names_in(self.symbols_of(expr)))
            return self._memo_names
        return names_in(self.symbols_of(expr))

    def symbols_of(self, expr: ast.AST, depth: int = 0) -> Symbols:
        """Every symbol ``expr`` may evaluate to at the current point (empty if unknown)."""
        if expr is self._memo_expr:
            if self._memo_symbols is None:
                self._memo_expr = None
                self._memo_symbols = self.symbols_of(expr, depth)
                self._memo_expr = expr
            return self._memo_symbols
        kind = type(expr)
        if kind is ast.Name:
            return self.lookup(expr.id)  # type: ignore[attr-defined]
        if kind in _SYMBOL_LESS or depth > _MAX_DEPTH:
            if kind is ast.BinOp and depth <= _MAX_DEPTH:
                return self._joined_lists(expr, depth)  # type: ignore[arg-type]
            return EMPTY
        # Peel attribute/call/subscript chains iteratively: a.b().c[0].d
        cache = self._chain_cache if depth == 0 else None
        chain: List[ast.AST] = []
        node = expr
        while True:
            if cache is not None and node in cache:
                base = cache[node]
                break
            kind = type(node)
            if kind is ast.Attribute:
                chain.append(node)
                node = node.value  # type: ignore[attr-defined]
            elif kind is ast.Name:
                base = self.lookup(node.id)  # type: ignore[attr-defined]
                break
            elif kind is ast.Call:
                special = self._special_call(node, depth)
                if special is not None:
                    base = special
                    break
                chain.append(node)
                node = node.func
            elif kind is ast.Subscript:
                special = self._special_subscript(node)  # type: ignore[arg-type]
                if special is not None:
                    base = special
                    break
                base = self._subscript_items(node, depth)
                break
            elif kind is ast.Await:
                node = node.value  # type: ignore[attr-defined]
            else:
                base = self._atom(node, depth)
                break
        for link in reversed(chain):
            if not base:
                base = EMPTY
            elif len(base) == 1:
                # The common case: one symbol, whose answer is already a frozenset.
                for only in base:
                    base = self.attribute_of(only, link.attr) if type(link) is ast.Attribute else self._call_result(only, link)  # type: ignore[arg-type, attr-defined]
            elif type(link) is ast.Attribute:
                base = frozenset(s for sym in base for s in self.attribute_of(sym, link.attr))  # type: ignore[attr-defined]
            else:
                assert isinstance(link, ast.Call)
                base = frozenset(s for sym in base for s in self._call_result(sym, link))
            if cache is not None:
                cache[link] = base
        return base

    def _joined_lists(self, node: ast.BinOp, depth: int) -> Symbols:
        """``[conn] * n``, ``[a] + [b]``: a list of the same elements; any other operation, nothing."""
        displays = (ast.List, ast.Tuple, ast.ListComp)
        if not isinstance(node.op, (ast.Mult, ast.Add)) or not (isinstance(node.left, displays) or isinstance(node.right, displays)):
            return EMPTY
        joined: Set[Symbol] = set()
        for side in (node.left, node.right):
            if isinstance(node.op, ast.Add) or isinstance(side, displays):
                joined |= self.symbols_of(side, depth + 1)
        return frozenset(joined)

    def _atom(self, node: ast.AST, depth: int) -> Symbols:
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.NamedExpr):
            return self.symbols_of(node.value, depth + 1)
        if isinstance(node, ast.IfExp):
            return self.symbols_of(node.body, depth + 1) | self.symbols_of(node.orelse, depth + 1)
        if isinstance(node, ast.BoolOp):
            out: Set[Symbol] = set()
            for value in node.values:
                out |= self.symbols_of(value, depth + 1)
            return frozenset(out)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            if isinstance(node, ast.Dict):
                elements = node.values
                keys = [None if key is None else literal_str(key) for key in node.keys]
            else:
                elements = node.elts
                keys = [None] * len(elements)
            held: Set[Symbol] = set()
            for element, key in zip(elements, keys):
                if isinstance(element, ast.Starred):
                    element = element.value
                for symbol in self.symbols_of(element, depth + 1):
                    if not isinstance(symbol, Contains):
                        symbol = Contains(symbol, key)
                    elif key is not None:
                        # ``{"locks": [lock]}``: what the list holds is read as held under "locks".
                        symbol = Contains(symbol.item, key)
                    held.add(symbol)
            return frozenset(held)
        if isinstance(node, ast.Lambda):
            return frozenset((LocalDef(node, "lambda", "<lambda>", nested=self._in_function()),))
        if isinstance(node, ast.GeneratorExp):
            return frozenset((Generated(node, node_key(node)),))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp)):
            return self._comprehension_elements(node, depth)
        return EMPTY

    def _comprehension_elements(self, node: ast.AST, depth: int) -> Symbols:
        """``[open(p) for p in paths]``, ``{n: Lock() for n in names}``: a container of what the
        element (a dict comprehension's value) may be, read with the comprehension's own targets
        bound (to the iterables' elements) so that an outer name of the same spelling is not read."""
        generators: List[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        element = node.value if isinstance(node, ast.DictComp) else node.elt  # type: ignore[attr-defined]
        scope = Scope("comprehension", node)
        self.scopes.append(scope)
        if self._chain_cache:
            self._chain_cache.clear()
        try:
            for gen in generators:
                items = self.elements_of(gen.iter, depth + 1)
                for name in target_names(gen.target):
                    scope.bindings[name] = items
            held = self.symbols_of(element, depth + 1)
        finally:
            self.scopes.pop()
            if self._chain_cache:
                self._chain_cache.clear()
        return contained(held)

    def _in_function(self) -> bool:
        return any(scope.kind in ("function", "lambda") for scope in self.scopes)

    def _named(self, name: str) -> Symbols:
        """``name``, with the other names the project's aliases say it is."""
        if self.aliases is not None:
            more = self.aliases(name)
            if more:
                return more | {name}
        return frozenset((name,))

    def attribute_of(self, symbol: Symbol, attr: str, depth: int = 0) -> Symbols:
        """The symbols of ``<symbol>.<attr>``."""
        if isinstance(symbol, str):
            return self._named(f"{symbol}.{attr}")
        if depth > _MAX_DEPTH:
            return EMPTY
        if isinstance(symbol, LocalDef):
            if symbol.kind != "class":
                return EMPTY
            if attr in symbol.members:
                return symbol.members[attr]
            out: Set[Symbol] = set()
            for base in symbol.bases:
                for b in base:
                    out |= self.attribute_of(b, attr, depth + 1)
            return frozenset(out)
        if type(symbol) is Generated and symbol.function is not None:  # type: ignore[union-attr]
            # ``codec_for(fmt).decode``: the method of what the module's function returns.
            out_made: Set[Symbol] = set()
            for instance in self.factory_instances(symbol):
                out_made |= self.attribute_of(instance, attr, depth + 1)
            named = frozenset().union(*(self._named(f"{made}.{attr}") for made in self.factory_names(symbol)))
            return frozenset(s for s in out_made if type(s) is LocalDef and s.kind == "function") | named
        if isinstance(symbol, LocalInstance):
            cls = symbol.cls
            found = cls.instance_attrs.get(attr)
            if self.value_hook is None:
                # What each instance attribute resolved to when first read: a later method that
                # stores more in it makes the class one whose state the data-flow walk learns first.
                self.first_reads.setdefault((cls, attr), found or EMPTY)
            if attr in cls.members:
                # A class-level default (``unpack = None``) that a method replaces on the object
                # (``self.unpack = pickle.loads``): either, whichever ran last.
                return cls.members[attr] | found if found else cls.members[attr]
            declared = _declared(cls, attr)
            if found is not None or declared:
                return found | declared if found else declared
            out = set()
            for base in cls.bases:
                for b in base:
                    if isinstance(b, str):
                        out |= self._named(f"{b}().{attr}")  # another module's base: its own bases too
                    elif isinstance(b, LocalDef) and b.kind == "class":
                        out |= self.attribute_of(LocalInstance(b), attr, depth + 1)
            if not out and depth == 0 and self._subclass_map.get(id(cls)) != []:
                # A mixin's ``self.request``: ``self`` may be an instance of any of the module's
                # classes that derive from it (``class RestoreView(PickleBodyMixin, View)``).
                for sub in self._subclasses(cls):
                    out |= self.attribute_of(LocalInstance(sub), attr, depth + 1)
            return frozenset(out)
        return EMPTY

    def _subclasses(self, cls: LocalDef) -> List[LocalDef]:
        """The module's classes (outside functions) that name ``cls`` among their bases."""
        known = self._subclass_map.get(id(cls))
        if known is None:
            known = [
                c for c in self._top_level.values()
                if c.kind == "class" and c is not cls and any(s is cls for base in c.bases for s in base)
            ]
            if self.module_walked:
                self._subclass_map[id(cls)] = known
        return known

    def factory_instances(self, symbol: Symbol) -> Symbols:
        """For what a call of a module function gives (a :class:`Generated`), the objects its
        ``return`` statements make (see :meth:`_factory_results`); nothing for any other symbol."""
        made = self._factory_of(symbol)
        return frozenset(s for s in self._factory_results(made) if type(s) is LocalInstance) if made is not None else EMPTY

    def factory_names(self, symbol: Symbol) -> Symbols:
        """For what a call of a module function gives, the library objects its ``return`` statements
        make (``return requests.Session()``), as qualified names of call results."""
        made = self._factory_of(symbol)
        return frozenset(s for s in self._factory_results(made) if type(s) is str) if made is not None else EMPTY

    def factory_made(self, symbol: Symbol) -> Symbols:
        """For what a call of a module function gives, what it makes when its one ``return`` ends its
        body (``return sqlite3.connect(path)``, ``conn = ...; return conn``, ``return Repo()``):
        every call gives that; nothing for any other shape of function."""
        made = self._factory_of(symbol)
        if made is None or not _one_final_return(made.node):
            return EMPTY
        return self._factory_results(made)

    def _factory_of(self, symbol: Symbol) -> Optional[LocalDef]:
        """The module's top-level function a :class:`Generated` call result came from, if any."""
        if type(symbol) is not Generated or symbol.function is None:  # type: ignore[union-attr]
            return None
        made = self._top_level.get(id(symbol.function))  # type: ignore[union-attr]
        return made if made is not None and made.kind == "function" else None

    def _factory_results(self, function: LocalDef) -> Symbols:
        """The objects a module function's ``return`` statements make (``return PickleCodec()``,
        ``return CODECS[name]()``, ``return [Job(i) for i in ids]``): read in the module's scope,
        with the function's own names bound to nothing, so that ``codec_for(fmt).decode(body)``
        runs ``PickleCodec.decode``. Instances only; anything else the call gives stays unknown."""
        node = function.node
        known = self._factories.get(id(node))
        if known is not None:
            return known
        if function.nested or self._factory_depth > 1 or isinstance(node, ast.Lambda):
            return EMPTY
        values = []
        for statement in block_statements(node.body):  # type: ignore[attr-defined]
            value = statement.value if type(statement) is ast.Return else None  # type: ignore[attr-defined]
            if type(value) is ast.Name:  # ``sock = socket.socket(); ...; return sock``
                value = bound_once(node, value.id) or value  # a module's name: read in its scope
            if isinstance(value, _FACTORY_VALUES):
                values.append(value)
        result: Symbols = EMPTY
        if values:
            scope = Scope("function", node)
            for name in bound_names(node):
                scope.bindings[name] = EMPTY
            saved, self.scopes = self.scopes, [self.module_scope, scope]
            self._factory_depth += 1
            if self._chain_cache:
                self._chain_cache.clear()
            try:
                found: Set[Symbol] = set()
                for value in values:
                    found |= self.symbols_of(value, 1)
            finally:
                self.scopes = saved
                self._factory_depth -= 1
                if self._chain_cache:
                    self._chain_cache.clear()
            result = frozenset(LocalInstance(s.cls, s.passed, True) for s in found if type(s) is LocalInstance)
            # ``return requests.Session()``: a library's object, whose methods ``session().get(url)`` runs.
            result |= frozenset(s for s in found if type(s) is str and s.endswith("()"))
        if self.module_walked:
            self._factories[id(node)] = result
        return result

    def _passed_to_init(self, cls: LocalDef, call: ast.Call) -> Tuple[Tuple[str, FrozenSet], ...]:
        """What ``call`` passes for the parameters ``cls``'s own ``__init__`` stores in ``self``
        (``self.conn = conn``): (attribute, symbols) pairs, for :class:`LocalInstance`."""
        if not call.args and not call.keywords:
            return ()
        init = next((s for s in cls.members.get("__init__", ()) if type(s) is LocalDef and s.kind == "function"), None)
        if init is None:
            return ()
        stores = self._init_stores.get(id(init.node))
        if stores is None:
            stores = self._init_stores[id(init.node)] = stored_parameters(init.node)
        if not stores:
            return ()
        params = positional_parameters(init.node)[1:]
        given = [(params[i], arg) for i, arg in enumerate(call.args) if i < len(params) and not isinstance(arg, ast.Starred)]
        given.extend((k.arg, k.value) for k in call.keywords if k.arg is not None)
        out: Dict[str, FrozenSet] = {}
        for param, value in given:
            for attr in stores.get(param, ()):
                symbols = self.symbols_of(value, 1)
                if symbols:
                    out[attr] = out.get(attr, EMPTY) | symbols
        return tuple(sorted(out.items(), key=lambda item: item[0]))

    def _call_result(self, symbol: Symbol, call: ast.Call) -> Symbols:
        if isinstance(symbol, str):
            if symbol == "functools.partial" and call.args:
                return self._partial_result(call)
            if self.call_hook is not None:
                variant = self.call_hook(symbol, call)
                if variant is not None:
                    return frozenset((variant,))
            if symbol.count("()") >= _MAX_CALLS:
                return EMPTY
            # ``resolve_serializer()``: a project function may return a class or a loader.
            made = f"{symbol}()"
            if self.aliases is not None and (call.args or call.keywords) and symbol.rpartition(".")[2][:1].isupper():
                # ``Repo(Database())``, another module's class: what it is given travels with it.
                passed = [(str(i), self.symbols_of(a, 1)) for i, a in enumerate(call.args) if not isinstance(a, ast.Starred)]
                passed += [(k.arg, self.symbols_of(k.value, 1)) for k in call.keywords if k.arg is not None]
                made = Constructed(made, tuple((key, value) for key, value in passed if value))
            return self._named(made)
        if isinstance(symbol, LocalDef) and symbol.kind == "class":
            return frozenset((LocalInstance(symbol, self._passed_to_init(symbol, call), defaulted=defaulted_fields(symbol, call)),))
        if isinstance(symbol, LocalDef) and symbol.kind == "function":
            produced = frozenset((Generated(call, node_key(call), symbol.node),))
            if isinstance(call.func, ast.Attribute) and returns_self(symbol.node):
                # ``Sink(path).open()`` with ``open`` returning ``self``: the same object.
                produced = produced | frozenset(s for s in self.symbols_of(call.func.value, 1) if type(s) is LocalInstance)
            returns = getattr(symbol.node, "returns", None)
            if returns is not None:
                # ``def make() -> Client``: the call gives a Client.
                produced = produced | self.annotated_instance(returns)
            return produced
        return EMPTY

    def _partial_result(self, call: ast.Call) -> Symbols:
        """``functools.partial(f, *args, **kwargs)``: what ``f`` is, or a variant of it.

        When the partial binds arguments, the call hook is asked about
        ``"functools.partial:" + name`` for each qualified name ``f`` may be. A variant
        it returns (``torch.load(partial@3:9)``: calls of it depend on what the partial
        bound) replaces the name, and :attr:`partial_calls` maps it to the partial's call
        so that a check can read the bound arguments back.
        """
        targets = self.symbols_of(call.args[0], 1)
        if self.call_hook is None or (len(call.args) == 1 and not call.keywords):
            return targets
        # The partial holds what it binds (pickled and copied with it: ``pool.map(job, items)``).
        out: Set[Symbol] = set()
        for bound in [*call.args[1:], *(k.value for k in call.keywords)]:
            out |= contained(self.symbols_of(bound.value if isinstance(bound, ast.Starred) else bound, 1))
        for target in targets:
            variant = self.call_hook(PARTIAL_OF + target, call) if isinstance(target, str) else None
            if variant is None:
                out.add(target)
            else:
                self.partial_calls[variant] = call
                out.add(variant)
        return frozenset(out)

    def _special_call(self, call: ast.Call, depth: int) -> Optional[Symbols]:
        """getattr(m, "x"), __import__("m"), importlib.import_module("m"), pytest.importorskip("m"),
        sys.modules.get("m")."""
        func = call.func
        if isinstance(func, ast.Attribute) and (func.attr in ELEMENT_METHODS or func.attr in ELEMENTS_METHODS):
            elements = self._element_call(call, func, depth)
            if elements is not None:
                return elements
        # Only plain dotted callees of up to three parts can be one of these; checking
        # nothing longer keeps resolution of long method chains linear.
        links = 0
        probe: ast.AST = func
        while isinstance(probe, ast.Attribute) and links < 3:
            probe = probe.value
            links += 1
        if not isinstance(probe, ast.Name) or not call.args:
            return None
        symbols = self.symbols_of(func)
        if SPECIAL_CALLEES.isdisjoint(symbols):
            if any(type(s) is LocalDef and s.kind == "function" and self._imports_by_name(s.node) for s in symbols) or (
                self.importer is not None and any(type(s) is str and self.importer(s) for s in symbols)
            ):
                # The module's own ``import_string(path)``, returning ``import_module(path)``, or another's.
                return frozenset(n for n in self.constant_strs(call.args[0]) if not n.startswith("."))
            return None
        callee = names_in(symbols)
        args = call.args
        if "builtins.getattr" in callee and len(args) >= 2:
            attr = literal_str(args[1])
            if attr is None:
                return EMPTY
            out: Set[Symbol] = set()
            for sym in self.symbols_of(args[0], depth + 1):
                out |= self.attribute_of(sym, attr)
            if len(args) >= 3:
                out |= self.symbols_of(args[2], depth + 1)
            return frozenset(out)
        if callee & IMPORTS_BY_DUNDER and args:
            name = literal_str(args[0])
            if not name or name.startswith("."):
                return EMPTY
            fromlist = keyword_arg(call, "fromlist")
            if fromlist is None and len(args) >= 4:
                fromlist = args[3]
            wants_leaf = isinstance(fromlist, (ast.List, ast.Tuple, ast.Set)) and bool(fromlist.elts)
            wants_leaf = wants_leaf or (isinstance(fromlist, ast.Constant) and bool(fromlist.value))
            return frozenset((name if wants_leaf else name.split(".")[0],))
        if callee & IMPORTS_BY_NAME and args:
            # Each returns the module named, a submodule included (not its top-level package).
            return frozenset(n for n in self.constant_strs(args[0]) if not n.startswith("."))
        if "sys.modules.get" in callee and args:
            name = literal_str(args[0])
            return frozenset((name,)) if name else EMPTY
        if callee & REPEATERS:
            return contained(self.symbols_of(args[0], depth + 1))
        if callee & METHOD_WRAPPERS and len(args) == 1 and not call.keywords:
            # ``loads = staticmethod(pickle.loads)`` in a class body: the class's ``loads`` is pickle's.
            return self.symbols_of(args[0], depth + 1)
        return None

    def _imports_by_name(self, function: ast.AST) -> bool:
        known = self._importers.get(id(function))
        if known is None:
            known = self._importers[id(function)] = imports_by_name(function)
        return known

    def constant_strs(self, expr: ast.expr) -> FrozenSet[str]:
        """The strings ``expr`` may be: a literal's, or those every module-level binding of a name
        the function does not bind gives it (``SERIALIZER = "pickle"``); none when any is not a literal."""
        value = literal_str(expr)
        if value is not None:
            return frozenset((value,)) if value else frozenset()
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
            return self._class_constant_strs(expr.value.id, expr.attr)
        if isinstance(expr, ast.Name) and self.function_stack and expr.id in self.scopes[-1].bindings:
            # ``def load(blob, picklelib="pickle")``: what the default names, unless the body rebinds it
            # (a caller may pass another: the module it names is one it may be).
            function = self.function_stack[-1]
            default = literal_str(default_of(function, expr.id)) if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
            if default and binding_counts(function.body).get(expr.id, 0) == 0:  # type: ignore[attr-defined]
                return frozenset((default,))
            return frozenset()
        if not isinstance(expr, ast.Name) or any(expr.id in scope.bindings for scope in self.scopes[1:]):
            return frozenset()
        values = [literal_str(v) for v in self.module_values.get(expr.id, ())]
        return frozenset(v for v in values if v) if values and all(v is not None for v in values) else frozenset()

    def _class_constant_strs(self, owner: str, attr: str) -> FrozenSet[str]:
        """``self.picklelib`` where the class body (or a base's of the module) binds ``picklelib =
        "pickle"`` once (prefect's serializers) and no method stores another value on the object."""
        for symbol in self.lookup(owner):
            cls = symbol.cls if isinstance(symbol, LocalInstance) else symbol
            if not (isinstance(cls, LocalDef) and cls.kind == "class") or attr in cls.instance_attrs:
                continue
            assigned = bound_once(cls.node, attr)
            if assigned is not None:
                value = literal_str(assigned)
                return frozenset((value,)) if value else frozenset()
        return frozenset()

    def _element_call(self, call: ast.Call, func: ast.Attribute, depth: int) -> Optional[Symbols]:
        """``d.get(k)``, ``d.pop(k)``, ``d.values()``, ``d.items()`` on a container value: one of its
        elements, or its elements again. None when the receiver holds no elements (a plain call)."""
        receiver = self.symbols_of(func.value, depth + 1)
        held = [s for s in receiver if isinstance(s, Contains)]
        if not held:
            return None
        if func.attr in ELEMENTS_METHODS:
            out: Set[Symbol] = set(held)
        else:
            out = set(elements(held, literal_str(call.args[0]) if call.args else None))
        for symbol in receiver:
            if not isinstance(symbol, Contains):
                for method in self.attribute_of(symbol, func.attr):
                    out |= self._call_result(method, call)
        if func.attr in ("get", "pop", "setdefault") and len(call.args) >= 2:
            out |= self.symbols_of(call.args[1], depth + 1)  # the default
        return frozenset(out)

    def _subscript_items(self, node: ast.Subscript, depth: int) -> Symbols:
        """What ``container[key]`` may be: the container's elements, only those stored under
        ``key`` (or under an unknown key) when ``key`` is a string literal."""
        container = self.symbols_of(node.value, depth + 1)
        found = elements(container, literal_str(_subscript_key(node)))
        if self.aliases is None and self.registry_name is None:
            return found
        # ``CODECS[fmt]`` of another module's registry: what the project's aliases say its elements
        # are, or (summarising) ``app.codecs.CODECS[]`` for the index to resolve.
        out: Set[Symbol] = set(found)
        for symbol in container:
            if not isinstance(symbol, str) or symbol.endswith("]"):
                continue
            if self.aliases is not None:
                out |= self.aliases(f"{symbol}[]") or EMPTY
            elif self.registry_name is not None and self.registry_name(symbol):
                out.add(f"{symbol}[]")
        return frozenset(out)

    def elements_of(self, expr: ast.AST, depth: int = 0) -> Symbols:
        """What iterating ``expr`` gives: the elements of the containers it is (of a generator expression too)."""
        gen = isinstance(expr, ast.GeneratorExp)
        return elements(self._comprehension_elements(expr, depth) if gen else self.symbols_of(expr, depth))

    def _special_subscript(self, node: ast.Subscript) -> Optional[Symbols]:
        name = literal_str(_subscript_key(node))
        return frozenset((name,)) if name and "sys.modules" in self.qualified_names(node.value) else None

    def annotated_instance(self, annotation: ast.AST, depth: int = 0) -> Symbols:
        """``sock: socket.socket`` makes ``sock`` an instance: ``socket.socket()``."""
        if depth > 4:
            return EMPTY
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return self.annotated_instance(annotation.left, depth + 1) | self.annotated_instance(
                annotation.right, depth + 1
            )
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            parsed = self._string_annotation(annotation)
            return EMPTY if parsed is None else self.annotated_instance(parsed, depth + 1)
        if isinstance(annotation, ast.Subscript):
            wrapper = self.qualified_names(annotation.value)
            inner = annotation.slice
            parts = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
            if wrapper & TYPING_WRAPPERS:
                if wrapper & {"typing.Annotated", "typing_extensions.Annotated"}:
                    parts = parts[:1]
                out: Symbols = EMPTY
                for part in parts:
                    out = out | self.annotated_instance(part, depth + 1)
                return out
            for name in wrapper:
                if name in CONTAINER_ANNOTATIONS:
                    # ``list[Client]``, ``dict[str, Client]``: a container whose elements are instances.
                    position = CONTAINER_ANNOTATIONS[name]
                    if position is not None:
                        parts = parts[position : position + 1]
                    elements: Symbols = EMPTY
                    for part in parts:
                        if not (isinstance(part, ast.Constant) and part.value is Ellipsis):
                            elements = elements | self.annotated_instance(part, depth + 1)
                    return frozenset(Contains(element) for element in elements)
            return EMPTY
        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return EMPTY
        if isinstance(annotation, ast.Name):
            # ``Svc = Annotated[Service, Depends(Service)]`` (or ``Maybe = Optional[Client]``) bound
            # once at module level, then ``svc: Svc``: the alias's annotation.
            values = self.module_values.get(annotation.id)
            if values is not None and len(values) == 1 and isinstance(values[0], (ast.Subscript, ast.BinOp)):
                return self.annotated_instance(values[0], depth + 1)
        out_set: Set[Symbol] = set()
        for symbol in self.symbols_of(annotation):
            if isinstance(symbol, str) and not symbol.startswith("builtins."):
                out_set.add(f"{symbol}()")
            elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                out_set.add(LocalInstance(symbol))
        return frozenset(out_set)

    def _string_annotation(self, node: ast.Constant) -> Optional[ast.expr]:
        """``"Client"`` as an annotation: the expression the string spells (parsed, never run),
        kept alive with the resolver so that node identities stay unique."""
        key = id(node)
        if key not in self._annotation_nodes:
            parsed: Optional[ast.expr] = None
            text = node.value
            if isinstance(text, str) and len(text) <= 200:
                try:
                    parsed = ast.parse(text.strip(), mode="eval").body
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    parsed = None
            self._annotation_nodes[key] = (node, parsed)
        return self._annotation_nodes[key][1]


#: The ``return`` values :meth:`Expressions._factory_results` reads: what makes an object.
_FACTORY_VALUES = (ast.Call, ast.Name, ast.List, ast.Tuple, ast.ListComp)


def _one_final_return(function: ast.AST) -> bool:
    """Whether ``function``'s one ``return`` ends its body, returning a value, and nothing yields:
    every call of it gives what that value makes (``return sqlite3.connect(path)``, ``conn =
    connect(); conn.row_factory = Row; return conn``)."""
    body = getattr(function, "body", [])
    if not body or not (type(body[-1]) is ast.Return and body[-1].value is not None):  # type: ignore[attr-defined]
        return False
    return not any(
        (type(node) is ast.Return and node is not body[-1]) or isinstance(node, (ast.Yield, ast.YieldFrom)) for node in own_nodes(function)
    )


def _declared(cls: LocalDef, attr: str, depth: int = 0) -> Symbols:
    """What the class body (or a base class's of the module) declares ``attr`` of its objects holds."""
    found = cls.declared.get(attr)
    if found is not None or depth > 8:
        return found or EMPTY
    for base in cls.bases:
        for b in base:
            if type(b) is LocalDef and b.kind == "class":
                found = _declared(b, attr, depth + 1)
                if found:
                    return found
    return EMPTY
