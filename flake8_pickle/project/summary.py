"""One module's summary for the project index: what other modules need to know about it.

A summary is computed from the module alone (no other summary is read), so it can be cached by
the module's content and composed with the others later (:mod:`flake8_pickle.project.index`).
It holds, keyed by stable names (``Class.method`` inside the module, qualified names outside):

- ``aliases``: module-level and class-level names bound to importable names
  (``loads = pickle.loads``, ``from .ser import Serializer``, ``loads = staticmethod(pickle.loads)``),
  and Unpickler subclasses that restrict nothing (the module's name stands for their base);
- ``functions``: for each function and method, its positional parameters and what it returns or
  yields, in facts: an untrusted source, trusted data, unknown data, one of its parameters, or
  the result of a call into another module (an ``External`` fact, resolved at composition);
- ``calls``: calls of other modules' callables whose arguments carry untrusted data, a parameter
  of the calling function, or another such call; and ``self.m(...)`` calls (``"dispatch": true``,
  callee ``module.Class().m``), which run the ``m`` of whichever subclass the object is;
- ``classes``: for each class, its bases, its protocol methods and what resource its instances
  hold that pickle, deepcopy, copy or a spawned process rejects.

Facts are written as short JSON lists: ``["S", label, line, via]`` (untrusted), ``["C", channel,
line]`` (a collective's output), ``["T", reason]``, ``["U"]``, ``["P", name]`` and
``["X", name, line, [[key, facts], ...]]``.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from ..catalog.handoff import ASDICT, COPY, DEEPCOPY, PICKLE, PROCESS, SPAWN
from ..catalog.loaders import constructor_variant
from ..catalog.yaml_loaders import yaml_loader_bases
from ..classes import ClassInfo, ClassModel, is_builtin_exception, lineage
from ..checks.protocol.exceptions import ExceptionArgs, written_init
from ..checks.copying import CopyChecks
from ..provenance import (
    Channel,
    External,
    Param,
    ProvenanceTracker,
    Source,
    Trusted,
)
from ..scope import Listener, Resolver
from ..provenance_model import KeyedBy, _user_patterns
from ..provenance_calls import fact_order
from ..verifiers import ASSERTS, helper_verifier, nested_verification, read_verifier, written
from ..symbols import Contains, LocalDef, LocalInstance, elements
from ..shapes import (
    attribute_chain,
    block_statements,
    bound_once,
    constructed,
    looked_up,
    bound_names_unless_generator,
    returns_self,
    class_method,
    constant_default_fields,
    imports_by_name,
    is_bound_task,
    is_classmethod,
    is_staticmethod,
    module_statements,
    node_key,
    positional_parameters,
    stored_parameters,
)
from ..findings import shown
from ..precheck import lines_spelling, spans_a_line, spells_word, verifier_words, verifiers_possible
from ..catalog.taint import SANITIZERS, UNTRUSTED_SOURCES
from ..settings import Settings
from .recorders import CallRecorder, ReturnRecorder, StoreRecorder, forwarding_calls, may_be_project
from .registries import add_fillers, decorated
from ..checks.unpicklers import UNPICKLER_BASES, FindClassChecks
from ..checks.protocol.state import kept_shapes

#: The kinds of summary (see :func:`summarise`): everything; what the module's own statements say;
#: everything but what only provenance says (returns and calls).
FULL, HEAD, LIGHT = "full", "head", "light"

#: Bumped whenever the shape or meaning of a summary changes: cached summaries of another
#: schema are never read.
SCHEMA = 13

OPERATIONS = (PICKLE, DEEPCOPY, COPY, SPAWN, PROCESS, ASDICT)
_MAX_FACT_DEPTH = 3
#: How many call facts and arguments one module's summary may write before the rest are unknown.
_WRITE_BUDGET = 5000
Json = Any


def module_package(module: str, is_package: bool) -> str:
    """The package relative imports of ``module`` start from."""
    if is_package:
        return module
    return module.rpartition(".")[0]


def reachable(tree: ast.AST) -> List[Tuple[str, ast.AST]]:
    """``(name, node)`` for every function and class another module can reach by name:
    ``name``, ``Class.method``, ``Outer.Inner`` (nested functions are private to theirs)."""
    out: List[Tuple[str, ast.AST]] = []
    stack: List[Tuple[Iterable[ast.stmt], str]] = [(getattr(tree, "body", []), "")]
    while stack:
        body, prefix = stack.pop()
        for node in module_statements(body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + node.name
                out.append((name, node))
                if isinstance(node, ast.ClassDef):
                    stack.append((node.body, name + "."))
    return out


def summarise(
    tree: ast.AST,
    module: str,
    path: str,
    is_package: bool,
    settings: Settings = Settings(),
    kind: str = FULL,
    source: Optional[bytes] = None,
) -> Json:
    """The summary of ``tree``, the module ``module`` at ``path`` (relative to the project root).

    ``kind`` :data:`HEAD`: only what the module's and classes' own statements say (aliases, bases,
    function signatures), without walking function bodies (except those that bind a global, and the
    methods of Unpickler subclasses): what resolving names across modules needs, at a fraction of the
    cost. ``source``, the module's text if known, rules out ``global`` statements without a walk.
    :data:`LIGHT`: everything but what only provenance says (returns and calls), without the
    provenance walk: what other modules copy and what classes hold, at about 40 % of the cost.
    """
    nodes = reachable(tree)
    names = {id(node): name for name, node in nodes}
    if kind == HEAD:
        global_lines = None if source is None else lines_spelling(source, ("global",))
        return _head(tree, module, path, is_package, nodes, names, global_lines, settings, source)
    model = ClassModel(settings.extra_resources)
    unpicklers = FindClassChecks(lambda finding: None)
    copies = CopyChecks(model, lambda finding: None, inventory=False)
    factories = ReturnRecorder()
    listeners: List[Listener] = [model, copies, unpicklers, factories]
    tracker: Optional[ProvenanceTracker] = None
    recorder: Optional[CallRecorder] = None
    storer: Optional[StoreRecorder] = None
    if kind != LIGHT:
        tracker = ProvenanceTracker(
            settings.untrusted_sources, settings.trusted_sources, settings.sanitizers, summarising=True
        )
        tracker.verifiers_possible = source is None or verifiers_possible(source, (*SANITIZERS, *settings.sanitizers))
        recorder = CallRecorder(tracker, module, names)
        storer = StoreRecorder(tracker)
        listeners = [model, copies, tracker, unpicklers, recorder, factories, storer]
    resolver = Resolver(tree, listeners, call_hook=constructor_variant)
    resolver.package = module_package(module, is_package)
    source_roots = frozenset(pattern.split(".")[0] for pattern in (*UNTRUSTED_SOURCES, *settings.untrusted_sources))
    resolver.registry_name = lambda name: may_be_project(name) and name.partition(".")[0] not in source_roots
    resolver.nonlocal_possible = source is None or spells_word(source, b"nonlocal")
    if tracker is not None:
        tracker.attach(resolver)
    else:
        # Walked as deeply as with the tracker (instance state learned first, loop back edges), so
        # that what the light summary keeps is what the whole one keeps.
        resolver.deep = True
    resolver.run()

    aliases, classes = _names_and_classes(resolver, unpicklers, module, nodes, names, model)
    functions = _signatures(nodes)
    _add_verifiers(functions, nodes, resolver, settings, source)
    add_fillers(functions, nodes, tree, resolver, source)
    writer = _Writer(tracker, path, names) if tracker is not None else None
    sends_by_function = copies.param_sends()
    for qualname, node in nodes:
        if qualname not in functions:
            continue
        if tracker is not None and writer is not None:
            returned = tracker.returns.get(node_key(node))
            functions[qualname]["returns"] = writer.facts(tracker.summary_expand(returned), node) if returned else None
            verifier = read_verifier(functions[qualname])
            if verifier is not None and verifier.kind == ASSERTS and verifier.returns:
                # ``return body`` once ``body``'s MAC checked out (raising otherwise): verified data.
                functions[qualname]["returns"] = [["T", f"verified by {qualname.rpartition('.')[2]}()"]]
        if sends_by_function.get(id(node)):  # ``def store(key, value): pickle.dumps(value)``, for other modules' calls
            functions[qualname]["sends"] = sorted({tuple(send) for send in sends_by_function[id(node)]})
        instances = sorted(
            item if isinstance(item, str) else f"{module}.{names[id(item.node)]}"
            for item in factories.instances.get(id(node), ())
            if isinstance(item, str) or id(item.node) in names
        )
        if instances:
            functions[qualname]["instances"] = instances
        made = factories.made_with.get(id(node))
        if made and model is not None:
            # ``return Client(socket.socket())``: what the objects it makes hold, per operation.
            holds: Dict[str, Json] = {}
            for operation in OPERATIONS:
                held = model.held_by(made, operation)
                if held is not None:
                    holds[operation] = [held.resource, held.path, held.line or 0]
            if holds:
                functions[qualname]["holds"] = holds

    calls: List[Json] = []
    if recorder is not None:
        recorder.made_by_factories(factories.instances)
    for call, function, callees, arguments in recorder.calls if recorder is not None else ():
        assert tracker is not None and writer is not None
        written = []
        for key, facts in arguments:
            expanded = writer.facts(tracker.summary_expand(facts), function)
            if any(f[0] in ("S", "C", "P", "X", "R") for f in expanded):
                written.append([key, expanded])
        if written:
            calls.append({
                "callees": list(callees),
                "line": call.lineno,
                "col": call.col_offset,
                "function": names.get(id(function)) if function is not None else None,
                "args": written,
            })
            if id(call) in recorder.dispatched:
                calls[-1]["dispatch"] = True
            if id(call) in recorder.local:
                calls[-1]["local"] = True
    calls = forwarding_calls(calls, module)
    for call, function, name, positions in tracker.registered if tracker is not None else ():
        if may_be_project(name):
            # ``asyncio.start_server(handlers.handle_client, ...)``: the library calls it with the peer's data.
            label = f"what {shown(call.func)} passes its callback"
            calls.append({
                "callees": [name],
                "line": call.lineno,
                "col": call.col_offset,
                "function": names.get(id(function)) if function is not None else None,
                "args": [[str(index), [["S", label, call.lineno, [], path]]] for index in positions],
            })
    stores: List[Json] = []
    for target, node, function, facts in storer.stores if storer is not None else ():
        assert tracker is not None and writer is not None
        written_facts = writer.facts(tracker.summary_expand(facts), function)
        if any(f[0] != "T" for f in written_facts):
            stores.append({
                "target": target,
                "line": getattr(node, "lineno", 0),
                "function": names.get(id(function)) if function is not None else None,
                "facts": written_facts,
            })
    uses: Dict[str, Set[str]] = {}
    for operation, symbols in copies.handed():
        if operation == ASDICT or operation == COPY:
            continue  # ``copy.copy`` of an instance shares its attributes: nothing it holds fails it
        for name in _handed_classes(symbols, names, module):
            uses.setdefault(name, set()).add(operation)
    return {
        "schema": SCHEMA,
        "module": module,
        "path": path,
        "aliases": aliases,
        "functions": functions,
        "classes": classes,
        "calls": calls,
        "stores": stores,
        "uses": {name: sorted(operations) for name, operations in sorted(uses.items())},
        "decorated": decorated(tree, resolver),
    }


def _head(
    tree: ast.AST,
    module: str,
    path: str,
    is_package: bool,
    nodes: List[Tuple[str, ast.AST]],
    names: Dict[int, str],
    global_lines: Optional[List[int]],
    settings: Settings = Settings(),
    source: Optional[bytes] = None,
) -> Json:
    """The head summary (see :func:`summarise`). ``global_lines``: the lines of the text that
    spell ``global`` (None: every line may)."""
    unpicklers = FindClassChecks(lambda finding: None)
    binds_globals = {id(f) for f in _functions_with_global(tree, global_lines)} if global_lines != [] else set()

    def walk(node: ast.AST, cls: Optional[LocalDef]) -> bool:
        if cls is not None and (_unpickler_bases(cls) or any(s in UNPICKLER_BASES for b in cls.bases for s in b)):
            return True
        return id(node) in binds_globals

    resolver = Resolver(tree, [unpicklers], call_hook=constructor_variant, walk_function=walk)
    resolver.package = module_package(module, is_package)
    resolver.run()
    aliases, classes = _names_and_classes(resolver, unpicklers, module, nodes, names, None)
    functions = _signatures(nodes)
    _add_verifiers(functions, nodes, resolver, settings, source)
    add_fillers(functions, nodes, tree, resolver, source)
    return {
        "schema": SCHEMA,
        "head": True,
        "module": module,
        "path": path,
        "aliases": aliases,
        "functions": functions,
        "classes": classes,
        "calls": [],
        "stores": [],
        "uses": {},
        "decorated": decorated(tree, resolver),
    }


#: The nodes that may hold a statement: statements, ``except`` handlers and ``case`` blocks.
_HOLDS_STATEMENTS: Tuple[type, ...] = (ast.stmt, ast.excepthandler) + (
    (ast.match_case,) if hasattr(ast, "match_case") else ()  # type: ignore[attr-defined]
)


def _functions_with_global(tree: ast.AST, lines: Optional[List[int]] = None) -> Iterable[ast.AST]:
    """The functions whose bodies hold a ``global`` statement (with the functions around them).
    With ``lines`` (the lines that may hold one, ascending), only the nodes whose lines span one
    of them are walked."""
    stack: List[Tuple[ast.AST, Tuple[ast.AST, ...]]] = [(tree, ())]
    found: Set[int] = set()
    out: List[ast.AST] = []
    while stack:
        node, around = stack.pop()
        if isinstance(node, ast.Global):
            for function in around:
                if id(function) not in found:
                    found.add(id(function))
                    out.append(function)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            around = around + (node,)
        for child in ast.iter_child_nodes(node):
            if lines is not None and isinstance(child, ast.stmt):
                if not spans_a_line(child, lines):
                    continue  # no line it spans spells ``global``
            elif not isinstance(child, _HOLDS_STATEMENTS):
                continue  # an expression holds no statement (a lambda's body is an expression)
            stack.append((child, around))
    return out


def _names_and_classes(
    resolver: Resolver,
    unpicklers: FindClassChecks,
    module: str,
    nodes: List[Tuple[str, ast.AST]],
    names: Dict[int, str],
    model: Optional[ClassModel],
) -> Tuple[Dict[str, List[str]], Dict[str, Json]]:
    """The module's aliases, and its classes' entries (without what they hold when ``model`` is None)."""
    aliases: Dict[str, List[str]] = {}
    for name, symbols in resolver.module_scope.bindings.items():
        targets = sorted(_alias_targets(_symbols(symbols), names, module, bound=True) - {f"{module}.{name}"})
        if targets:
            aliases[name] = targets
        # ``CODECS = {"pickle": PickleCodec}``: what another module's ``CODECS[fmt]`` and
        # ``CODECS.get(fmt)`` may be (the registry's elements, as the resolver spells them).
        held = sorted(_alias_targets(elements(_symbols(symbols)), names, module))
        if held:
            aliases[f"{name}[]"] = aliases[f"{name}.get()"] = held
    aliases.update(_returned_aliases(resolver, nodes, names, module))
    sound = unpicklers.sound_unpickler_classes(resolver)
    classes: Dict[str, Json] = {}
    for cls in resolver.classes:
        qualname = names.get(id(cls.node))
        if qualname is None:
            continue
        for member, symbols in cls.members.items():
            targets = sorted(s for s in _symbols(symbols) if isinstance(s, str))
            if targets:
                aliases[f"{qualname}.{member}"] = targets
                aliases[f"{qualname}().{member}"] = targets
        for attr, symbols in _declared_attributes(cls, resolver).items():
            # ``sock: socket.socket`` (a dataclass field), or ``self.sock = sock`` with ``sock:
            # socket.socket``: another module's ``conn.sock.recv(n)`` reads a socket.
            targets = sorted(_alias_targets(symbols, names, module))
            if targets:
                aliases.setdefault(f"{qualname}().{attr}", targets)
        bases = sorted({s for base in cls.bases for s in base if isinstance(s, str)})
        unpickler = [b for b in bases if b in UNPICKLER_BASES] or _unpickler_bases(cls)
        if unpickler and cls not in sound:
            aliases[qualname] = sorted(set(unpickler))
        elif yaml_loader_bases(cls):
            # ``class StrictLoader(SafeLoader)``: another module's ``yaml.load(f, StrictLoader)`` is as safe.
            aliases[qualname] = yaml_loader_bases(cls)
        entry = _class_entry(model, cls, bases, names)
        if entry:
            classes[qualname] = entry
    return aliases, classes


def _declared_attributes(cls: LocalDef, resolver: Resolver) -> Dict[str, FrozenSet]:
    """What the class declares its objects' attributes hold, by annotation: in its body (a dataclass
    field), or on the ``__init__`` parameter stored unchanged in one (``self.sock = sock``)."""
    found: Dict[str, FrozenSet] = dict(cls.declared)
    init = class_method(cls.node, "__init__")
    if isinstance(init, ast.FunctionDef):
        annotated = {arg.arg: arg.annotation for arg in init.args.args + init.args.kwonlyargs if arg.annotation is not None}
        for param, attrs in stored_parameters(init).items():
            if param in annotated:
                for attr in attrs:
                    found.setdefault(attr, resolver.annotated_instance(annotated[param]))
    return found


def _assigned_once(value: ast.expr, function: ast.AST) -> ast.expr:
    """What a local name bound once was bound to (``cls = CODECS.get(fmt, PickleCodec)`` then
    ``return cls()``); else ``value`` itself."""
    if not isinstance(value, ast.Name):
        return value
    assigned = bound_once(function, value.id)
    return value if assigned is None else assigned


def _alias_targets(symbols: Iterable[object], names: Dict[int, str], module: str, bound: bool = False) -> Set[str]:
    """The names other modules know ``symbols`` by: library names as they are, the module's own
    classes and functions by their qualified names (``PickleSerializer = DefaultSerializer``), and
    its own objects as a call of their class (``default = DefaultSerializer()``). With ``bound``
    (a module-level name), a method is taken as bound to an instance (``loads = registry.loads``)."""
    out: Set[str] = set()
    for symbol in symbols:
        if isinstance(symbol, str):
            out.add(symbol)
        elif isinstance(symbol, LocalDef) and symbol.kind in ("class", "function") and id(symbol.node) in names:
            qualname = names[id(symbol.node)]
            owner, _, method = qualname.rpartition(".")
            if bound and owner and symbol.kind == "function" and not is_staticmethod(symbol.node) and not is_classmethod(symbol.node):
                out.add(f"{module}.{owner}().{method}")
            else:
                out.add(f"{module}.{qualname}")
        elif isinstance(symbol, LocalInstance) and id(symbol.cls.node) in names:
            out.add(f"{module}.{names[id(symbol.cls.node)]}()")
    return out


def _returned_aliases(
    resolver: Resolver, nodes: List[Tuple[str, ast.AST]], names: Dict[int, str], module: str
) -> Dict[str, List[str]]:
    """``"resolve_serializer()": ["app.ser.PickleSerializer"]``: what a function's call may be,
    when it returns a module-level name (or an attribute of one) that its body does not rebind.
    Read from the ``return`` statements alone, so a head summary has it without walking bodies'
    expressions (only a function returning a module-level name has its body read for what it
    binds); an alias only adds names a call may be, so what is not understood is left out."""
    bindings = resolver.module_scope.bindings
    out: Dict[str, List[str]] = {}
    for qualname, node in nodes:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        owner, _, method = qualname.rpartition(".")
        if owner and owner in names.values() and returns_self(node):
            out[f"{owner}().{method}()"] = [f"{module}.{owner}()"]  # ``Sink(path).open()``: the same object
            continue
        returned = [
            (chain[0], chain[1:], element, called, given)
            for statement in block_statements(node.body)
            if isinstance(statement, ast.Return) and statement.value is not None
            # ``sock = socket.socket(); ...; return sock``: what the local was bound to, once.
            for given in (_assigned_once(statement.value, node) if _is_local(statement.value, bindings) else statement.value,)
            for inner, called in (constructed(given),)
            for value, element in (looked_up(_assigned_once(inner, node) if called and _is_local(inner, bindings) else inner),)
            for chain in (attribute_chain(value),)
            if chain and chain[0] in bindings
        ]
        if not returned:
            continue
        local = bound_names_unless_generator(node)
        if local is None:
            continue  # a generator's call is its iterator
        targets: Set[str] = set()
        for base, attrs, element, called, value in returned:
            if base in local:
                continue
            current: FrozenSet = _symbols(bindings[base])
            for attr in attrs:
                current = frozenset(s for symbol in current for s in resolver.attribute_of(symbol, attr))
            if element:
                current = elements(current)
            found = _alias_targets(current, names, module)
            # ``return CODECS[fmt]()``, ``return PickleCodec()``: an instance of what is called
            # (``Listener(address, authkey=KEY)``: the variant its arguments make).
            targets |= {_made(target, value) for target in found if not target.endswith("()")} if called else found
            if element and not attrs:
                # The registry itself too: what other modules' decorators put in it (the index's).
                targets.add(f"{module}.{base}[]{'()' if called else ''}")
        targets.discard(f"{module}.{qualname}()")
        if targets:
            out[f"{qualname}()"] = sorted(targets)
            owner, _, method = qualname.rpartition(".")
            if owner:
                out[f"{owner}().{method}()"] = sorted(targets)
    return out


def _is_local(value: ast.expr, bindings: Dict[str, object]) -> bool:
    """Whether ``value`` is a name the module does not bind (a function's local, then)."""
    return type(value) is ast.Name and value.id not in bindings  # type: ignore[attr-defined]


def _made(target: str, call: ast.expr) -> str:
    """What calling ``target`` in ``call`` makes: its constructor variant, or ``target()``."""
    variant = constructor_variant(target, call) if isinstance(call, ast.Call) else None
    return variant if variant is not None else f"{target}()"


def _add_verifiers(
    functions: Dict[str, Json], nodes: List[Tuple[str, ast.AST]], resolver: Resolver, settings: Settings, source: Optional[bytes]
) -> None:
    """Each HMAC or signature check helper's :class:`~flake8_pickle.verifiers.Verifier` (``verifies``),
    for other modules' calls of it; only in a module whose text can hold a check."""
    # Only a function whose lines spell a check's words can be a helper: the others are not read.
    lines = None if source is None else lines_spelling(source, verifier_words((*SANITIZERS, *settings.sanitizers)))
    if lines == []:
        return
    sanitizers = _user_patterns(tuple(settings.untrusted_sources), tuple(settings.trusted_sources), tuple(settings.sanitizers))[2]
    helpers: List[str] = []
    for qualname, node in nodes:
        if qualname in functions:
            if lines is not None and not spans_a_line(node, lines):
                continue
            found = helper_verifier(node, nested_verification(resolver, sanitizers, node), resolver)
            if found is not None:
                functions[qualname]["verifies"] = written(found)
                helpers.append(qualname.rpartition(".")[2])
    # A helper whose check is another helper's (``require`` raising unless ``verify(body, sig)``):
    # only a function spelling a helper found above can be one.
    more = lines_spelling(source, helpers) if helpers and source is not None else []
    for qualname, node in nodes:
        if qualname in functions and "verifies" not in functions[qualname] and spans_a_line(node, more):
            found = helper_verifier(node, nested_verification(resolver, sanitizers, node), resolver)
            if found is not None:
                functions[qualname]["verifies"] = written(found)


def _signatures(nodes: List[Tuple[str, ast.AST]]) -> Dict[str, Json]:
    """Each function's and method's parameters (``self`` left out) and kind, from its ``def``."""
    functions: Dict[str, Json] = {}
    for qualname, node in nodes:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = positional_parameters(node)
        bound = "." in qualname and not is_staticmethod(node)
        task = is_bound_task(node)  # called with its task first, as a classmethod is with its class
        if (bound or task) and params:
            params = params[1:]
        functions[qualname] = {
            "params": params, "bound": bound or task, "classmethod": is_classmethod(node) or task, "line": node.lineno,
        }
        if not bound and imports_by_name(node):
            functions[qualname]["imports"] = True  # ``return import_module(name)``: a call names its module
    return functions


def _handed_classes(symbols: Iterable[object], names: Dict[int, str], module: str, depth: int = 0) -> Set[str]:
    """Classes (qualified names) whose instances are among ``symbols``: another module's
    constructed by name (``models.Connection()``), and for the module's own classes the bases
    they inherit from other modules (``class Pooled(models.Connection)``)."""
    out: Set[str] = set()
    for symbol in symbols:
        if isinstance(symbol, Contains) and depth < 4:
            out |= _handed_classes((symbol.item,), names, module, depth + 1)
        elif isinstance(symbol, str) and symbol.endswith("()") and may_be_project(symbol):
            out.add(symbol[:-2])
        elif isinstance(symbol, LocalInstance):
            out |= _string_ancestors(symbol.cls)
    return out


def _string_ancestors(cls: LocalDef, depth: int = 0) -> Set[str]:
    out: Set[str] = set()
    if depth > 8:
        return out
    for base in cls.bases:
        for symbol in base:
            if isinstance(symbol, str) and may_be_project(symbol):
                out.add(symbol)
            elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                out |= _string_ancestors(symbol, depth + 1)
    return out


def _symbols(symbols: object) -> FrozenSet:
    return symbols if isinstance(symbols, frozenset) else frozenset()


def _unpickler_bases(cls: LocalDef, depth: int = 0) -> List[str]:
    """The catalogued Unpickler a class of the module derives from, through its local bases."""
    if depth > 8:
        return []
    out: List[str] = []
    for base in cls.bases:
        for symbol in base:
            if isinstance(symbol, str) and symbol in UNPICKLER_BASES:
                out.append(symbol)
            elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                out.extend(_unpickler_bases(symbol, depth + 1))
    return out


def _class_entry(model: Optional[ClassModel], cls: LocalDef, bases: List[str], names: Dict[int, str]) -> Json:
    info = model.info(cls) if model is not None else None
    holds: Dict[str, Json] = {}
    for operation in OPERATIONS if model is not None else ():
        held = model.class_holds(cls, operation)  # type: ignore[union-attr]
        if held is not None:
            holds[operation] = [held.resource, held.path, held.line or 0]
    local_bases = sorted(
        names[id(s.node)] for base in cls.bases for s in base if isinstance(s, LocalDef) and id(s.node) in names
    )
    init = class_method(cls.node, "__init__")
    stores = stored_parameters(init) if init is not None and model is not None else {}
    getstate = info is not None and "__getstate__" in info.protocols
    refs = _other_modules_objects(cls, info) if model is not None else {}
    if not holds and not bases and not local_bases and not stores and not getstate and not refs:
        return None
    described = _exception_init(cls, init)
    entry = {
        "bases": bases + local_bases,
        "holds": holds,
        "protocols": sorted(info.protocols) if info is not None else [],
        "line": getattr(cls.node, "lineno", 0),
    }
    if refs:
        # ``journal: Journal`` (a dataclass field), ``self.pool = workers.Pool()``: what those hold, the index asks.
        entry["refs"] = refs
    if stores and init is not None:
        # ``self.db = db``: what another module's ``Repo(Database())`` passes ends up in ``self``.
        entry["init"] = [positional_parameters(init)[1:], {param: attrs for param, attrs in sorted(stores.items())}]
    if described is not None:
        # What its ``__init__`` puts in ``args``, for a subclass in another module (PKL302 there).
        entry["exception_init"] = described
    if getstate:
        # What its ``__getstate__`` keeps, for a subclass in another module (see ``inherited_state``).
        shapes = kept_shapes(class_method(cls.node, "__getstate__"))
        entry["state"] = "all" if shapes is None else [[whole, list(dropped), list(named)] for whole, dropped, named in shapes]
    return entry


#: Methods that decide how an exception is rebuilt other than by ``__init__``: a class defining one
#: is not described by its ``__init__`` alone.
_REBUILDERS = ("__new__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__getnewargs__", "__getnewargs_ex__")


def _exception_init(cls: LocalDef, init: Optional[ast.AST]) -> Optional[Json]:
    """What the ``__init__`` of an exception class of the module (its lineage within the module, down
    to a builtin exception) puts in ``args``, for its subclasses in other modules; None if it is no
    such class or the model is unknown."""
    if not isinstance(init, ast.FunctionDef):
        return None
    chain = lineage(cls)
    if not chain.complete or not chain.is_exception() or any(chain.defines(hook) for hook in _REBUILDERS):
        return None
    builtin = next(name for name in chain.builtins if is_builtin_exception(name))
    return written_init(init, ExceptionArgs({}).args_of([*chain.classes, *chain.builtins], 0), builtin)


def _other_modules_objects(cls: LocalDef, info: Optional[ClassInfo]) -> Dict[str, List[str]]:
    """Attribute -> the classes of other modules of the project whose instances it holds (a field
    left at a constant default, ``journal: Optional[Journal] = None``, holds that constant)."""
    attributes = list(cls.instance_attrs.items())
    if info is not None:
        defaulted = constant_default_fields(cls.node)
        attributes += [(name, symbols) for name, (symbols, _) in info.fields.items() if name not in defaulted]
    refs: Dict[str, Set[str]] = {}
    for name, symbols in attributes:
        for symbol in symbols:
            if isinstance(symbol, str) and symbol.endswith("()") and "(" not in symbol[:-2] and may_be_project(symbol):
                refs.setdefault(name, set()).add(symbol[:-2])
    return {name: sorted(made) for name, made in sorted(refs.items())}


class _Writer:
    """Facts as JSON lists, relative to one function (its parameters are ``P``; its class's
    constructor's parameters ``R``, what the receiver was made with)."""

    def __init__(self, tracker: ProvenanceTracker, path: str, names: Optional[Dict[int, str]] = None):
        self.tracker = tracker
        self.path = path
        self.names = names or {}
        self._memo: Dict[Tuple[FrozenSet, int, int], List[Json]] = {}
        #: How many more call facts (and their arguments) the module's summary may write.
        self._budget = _WRITE_BUDGET

    def _constructed_with(self, fact: Param, function: ast.AST) -> bool:
        """Whether ``fact`` is a parameter of the ``__init__`` of ``function``'s class."""
        method = self.names.get(id(function), "")
        return "." in method and self.names.get(id(fact.function)) == f"{method.rpartition('.')[0]}.__init__"

    def facts(self, facts: FrozenSet, function: Optional[ast.AST], depth: int = 0) -> List[Json]:
        key = (facts, id(function), depth)
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = self._facts(facts, function, depth)
        return known

    def _facts(self, facts: FrozenSet, function: Optional[ast.AST], depth: int) -> List[Json]:
        out: List[Json] = []
        for fact in sorted(facts, key=fact_order) if len(facts) > 1 else facts:
            written = self._fact(fact, function, depth)
            if written is not None and written not in out:
                out.append(written)
        out.sort(key=repr)
        return out

    def _fact(self, fact: object, function: Optional[ast.AST], depth: int) -> Optional[Json]:
        if isinstance(fact, Param) and function is not None and fact.function is not function and self._constructed_with(fact, function):
            # ``return self.sock.recv(n)`` with ``self.sock = sock`` in ``__init__``: what the
            # object was made with, read from the call's receiver (``Transport(conn).read()``).
            return ["R", fact.name]
        if isinstance(fact, Source):
            return ["S", fact.label, fact.line, list(fact.via), self.path]
        if isinstance(fact, Channel):
            return ["C", fact.channel, fact.line, self.path]
        if isinstance(fact, Trusted):
            return ["T", fact.reason]
        if isinstance(fact, Param) and function is not None and fact.function is function:
            return ["P", fact.name]
        if isinstance(fact, KeyedBy) and function is not None and fact.params and all(p.function is function for p in fact.params):
            # A MAC under a key the caller passes: the caller's check verifies only if that key is not the sender's.
            return ["K", sorted({p.name for p in fact.params})]
        if isinstance(fact, External) and depth < _MAX_FACT_DEPTH and self._budget > 0:
            # A call's arguments are written out (and their calls', to a depth): bounded per module,
            # past which the call's result is unknown data (never trusted, at worst PKL102).
            self._budget -= 1 + len(fact.arguments)
            arguments = [[key, self.facts(self.tracker.summary_expand(value), function, depth + 1)] for key, value in fact.arguments]
            return ["X", fact.name, fact.line, arguments]
        return ["U"]

