"""The class model: what each value and each class of the module holds that pickle or copy rejects.

Read by the PKL2xx rules (is the copied, pickled or sent value a resource?) and
the PKL3xx rules (which classes hold one without a protocol). Resource facts come
from the measured catalogue (``resource_table.py``); a class holds what its
instance attributes (assigned in any method), its dataclass/attrs/pydantic fields
and its bases hold, transitively, unless its own pickling protocol covers the
operation.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple, Union

from .catalog.conventions import FIELD_CLASS_BASES, FIELD_CLASS_DECORATORS, FIELD_FACTORY_CALLS, GROUP_EXCEPTIONS, TYPED_DICT_BASES
from .catalog.handoff import ASDICT, COPY, DEEPCOPY, PICKLE, PROCESS, SPAWN
from .catalog.names import unforked
from .catalog.resource_table import ALIASES, RESOURCE_VALUES, RESOURCES, SYNTACTIC_RESOURCES
from .catalog.resources import FAIL, KIND_RESOURCE, ResourceFacts
from .findings import Step
from .shapes import block_statements, class_method
from .scope import NO_CALLS, CallInterest, Listener, Resolver
from .symbols import Constructed, Contains, Generated, LocalDef, LocalInstance, display_name, symbol_order

#: Protocol methods that make each operation the class's own business.
#: ``copyreg.pickle(C, reducer)`` gives C a reducer that pickle and copy both consult.
COPYREG = "copyreg.pickle"
_COPYREG_CALLS = CallInterest(names=frozenset((COPYREG,)))
PROTOCOL_COVERS = {
    PICKLE: frozenset({"__getstate__", "__reduce__", "__reduce_ex__", COPYREG}),
    DEEPCOPY: frozenset({"__getstate__", "__reduce__", "__reduce_ex__", "__deepcopy__", COPYREG}),
    COPY: frozenset({"__getstate__", "__reduce__", "__reduce_ex__", "__copy__", COPYREG}),
    ASDICT: frozenset(),
    SPAWN: frozenset({"__getstate__", "__reduce__", "__reduce_ex__", COPYREG}),
}
PROTOCOL_COVERS[PROCESS] = PROTOCOL_COVERS[SPAWN]  # the same pickler, into a pool, a queue or a pipe
PROTOCOL_METHODS = frozenset().union(*PROTOCOL_COVERS.values()) | {"__setstate__", "__getnewargs__", "__getnewargs_ex__"}

_MAX_DEPTH = 12
#: A base's protocol decides what instances of a class travel with (see ``ClassModel._inherited_state``).
_DROPS_ALL = object()
#: How deep :func:`lineage` follows local bases, and how many classes it lists at most.
_MAX_LINEAGE_DEPTH = 8
_MAX_LINEAGE = 64
#: Builtin exception classes (measured from this interpreter's builtins): a class with one of these
#: among its bases, directly or through the module's classes, is an exception.
BUILTIN_EXCEPTIONS: FrozenSet[str] = frozenset(
    f"builtins.{name}"
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def is_builtin_exception(symbol: object) -> bool:
    """Whether a base's symbol is a builtin exception class."""
    return isinstance(symbol, str) and symbol in BUILTIN_EXCEPTIONS


def _derives_from(cls: LocalDef, is_base: Callable[[object], bool], depth: int = 0) -> bool:
    """Whether a base of ``cls``, or of one of the module's classes it derives from, is one ``is_base``
    accepts (a qualified name)."""
    for base in cls.bases:
        for symbol in base:
            if isinstance(symbol, str) and is_base(symbol):
                return True
            if isinstance(symbol, LocalDef) and symbol.kind == "class" and depth < _MAX_DEPTH:
                if _derives_from(symbol, is_base, depth + 1):
                    return True
    return False


def _module_instance(symbol: object) -> bool:
    """An instance of one of the module's classes, or a container of some."""
    while isinstance(symbol, Contains):
        symbol = symbol.item
    return isinstance(symbol, LocalInstance)


@dataclass(frozen=True)
class Held:
    """A resource a value holds: what it is, where in the value, and where it was assigned."""

    resource: str
    facts: ResourceFacts
    path: str = ""
    line: Optional[int] = None
    #: The class of the module whose own attribute or base is the resource (None: the value itself).
    owner: Optional[LocalDef] = field(default=None, compare=False)
    #: Where another module of the project creates it (a step with that module's file).
    elsewhere: Optional[Step] = field(default=None, compare=False)
    #: A lambda, local function or local class: pickle fails on it only because it stores them by
    #: name (cloudpickle and dill serialize them by value).
    by_name: bool = field(default=False, compare=False)

    def describe(self) -> str:
        """``threading.Lock in self._lock (line 8)``."""
        text = self.resource
        if self.path:
            text += f" in {self.path}"
        if self.line:
            # ``self.adapter.map._lock of app.Map (app/map.py, line 9)`` already names a place: this
            # module's line is where the attribute was stored.
            text += f", stored at line {self.line}" if text.endswith(")") else f" (line {self.line})"
        return text

    def related(self) -> Tuple[Step, ...]:
        """The related places of a finding about this resource: where it was created or assigned,
        and the class of the module that holds it (places in other modules are not known here)."""
        steps: List[Step] = []
        if self.line:
            where = f" in {self.path}" if self.path else ""
            steps.append(Step(self.line, f"{self.resource} created{where}"))
        line = getattr(self.owner.node, "lineno", 0) if self.owner is not None else 0
        if self.owner is not None and line:
            steps.append(Step(line, f"class {self.owner.name} holds it"))
        if self.elsewhere is not None:
            steps.append(self.elsewhere)
        return tuple(steps)

    def fails(self, operation: str) -> bool:
        """Whether ``operation`` on this resource raises, per the measurements."""
        if operation == PICKLE:
            return self.facts.pickle_fails
        if operation == SPAWN:
            # "Lock objects should only be shared between processes through inheritance": passing
            # them to Process(args=...) is that inheritance, and works under every start method.
            return self.facts.pickle_fails and not self.facts.travels_when_spawning
        if operation == PROCESS:
            return self.facts.pickle_fails and not self.facts.reduced_for_processes
        if operation == COPY:
            return self.facts.copy_fails
        return self.facts.deepcopy_fails


def unnamed_callable(symbol: object) -> Optional[Tuple[str, str]]:
    """For a lambda, or a function or class defined inside a function (none has a name pickle can
    import): how a message names it, and its row of the measured ``SYNTACTIC_RESOURCES``."""
    if not isinstance(symbol, LocalDef):
        return None
    if symbol.kind == "lambda":
        return "a lambda", "<lambda>"
    if symbol.nested and symbol.kind == "function":
        return f"local function {symbol.name}", "<local def>"
    if symbol.nested and symbol.kind == "class":
        return f"local class {symbol.name}", "<local class>"
    return None


@dataclass
class ClassInfo:
    """What one class of the module defines."""

    local: LocalDef
    protocols: FrozenSet[str]
    fields: Dict[str, Tuple[FrozenSet, int]] = field(default_factory=dict)
    is_exception: bool = False
    #: Every ``def`` of the class body by name, in order (``def``s in ``if``/``try`` blocks too).
    methods: Dict[str, List[ast.AST]] = field(default_factory=dict)
    #: The names the body's top level binds by ``def`` or plain assignment (``__reduce__ = f``).
    defined: FrozenSet[str] = frozenset()


def resource_facts(constructor: str) -> Optional[ResourceFacts]:
    """Measured facts for what calling ``constructor`` returns, through aliases."""
    constructor = unforked(constructor)
    facts = RESOURCES.get(constructor)
    if facts is None and constructor in ALIASES:
        facts = RESOURCES.get(ALIASES[constructor])
    return facts


def _public_first(symbol: object) -> Tuple[bool, Tuple[int, str, int, int]]:
    """Symbols in a stable order, public names first: a base ``threading.local`` is named so, not by
    its alias ``_thread._local`` (sets iterate in an order that changes from run to run)."""
    private = isinstance(symbol, str) and any(part.startswith("_") for part in symbol.split("."))
    return private, symbol_order(symbol)


class ClassModel(Listener):
    """Collects class definitions during the walk; answers "what does this value hold" afterwards."""

    def __init__(self, extra_resources: Iterable[str] = (), copyreg_possible: bool = True, project: object = None):
        #: False when the module's text never names copyreg: no registration to look for.
        self.copyreg_possible = copyreg_possible
        #: The project index's view (:class:`flake8_pickle.project.index.ModuleView`): what the
        #: classes of other modules hold. None: the module is analysed alone.
        self.project = project
        self.classes: Dict[int, ClassInfo] = {}
        self.extra = frozenset(extra_resources)
        #: Answers of :meth:`class_holds` that no cycle or depth bound cut short: they hold whatever
        #: order classes are asked in.
        self._memo: Dict[Tuple[int, str], Optional[Held]] = {}
        #: Answers found during the outermost question being answered, cut ones included (dropped
        #: when it is answered), and the questions under way.
        self._asking: Dict[Tuple[int, str], Optional[Held]] = {}
        self._open: Set[Tuple[int, str]] = set()
        self._cut = False
        #: The class whose other-module bases are not asked, while set (see :meth:`unprotected_resource_classes`).
        self._own_only: Optional[int] = None
        #: The walk's resolver, once a class is met: what the module's factories make (``self.db =
        #: make_db(path)``) is read from it.
        self._resolver: Optional[Resolver] = None

    def on_class(self, node: ast.ClassDef, local: LocalDef, resolver: Resolver) -> None:
        self._resolver = resolver
        defined: Set[str] = set()
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined.add(statement.name)
            elif isinstance(statement, ast.Assign):
                defined.update(t.id for t in statement.targets if isinstance(t, ast.Name))
        methods: Dict[str, List[ast.AST]] = {}
        for statement in block_statements(node.body):
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.setdefault(statement.name, []).append(statement)
        info = ClassInfo(local, frozenset(defined & PROTOCOL_METHODS), methods=methods, defined=frozenset(defined))
        decorators = set()
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            decorators |= resolver.qualified_names(target)
        base_names = {s for base in local.bases for s in base if isinstance(s, str)}
        has_fields = bool(decorators & FIELD_CLASS_DECORATORS) or bool(base_names & set(FIELD_CLASS_BASES))
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                if statement.value is not None and not has_fields:
                    continue  # a plain class attribute is shared by the class, not copied with instances
                symbols = resolver.annotated_instance(statement.annotation)
                if statement.value is not None:
                    symbols = symbols | self._default_symbols(statement.value, resolver)
                info.fields[statement.target.id] = (symbols, statement.lineno)
            elif (
                has_fields
                and isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and isinstance(statement.value, ast.Call)
                and resolver.qualified_names(statement.value.func) & FIELD_FACTORY_CALLS
            ):
                # attrs without annotations: ``lock = attr.ib(factory=threading.Lock)``.
                symbols = self._default_symbols(statement.value, resolver)
                info.fields[statement.targets[0].id] = (symbols, statement.lineno)
        self.classes[id(local)] = info

    @staticmethod
    def _default_symbols(value: ast.expr, resolver: Resolver) -> FrozenSet:
        if isinstance(value, ast.Call) and resolver.qualified_names(value.func) & FIELD_FACTORY_CALLS:
            for keyword in value.keywords:
                if keyword.arg in ("default_factory", "factory"):
                    out = set()
                    for symbol in resolver.symbols_of(keyword.value):
                        if isinstance(symbol, str):
                            out.add(f"{symbol}()")
                        elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                            out.add(LocalInstance(symbol))
                    return frozenset(out)
                if keyword.arg == "default":
                    return resolver.symbols_of(keyword.value)
            return frozenset()
        return resolver.symbols_of(value)

    def call_interest(self) -> CallInterest:
        return _COPYREG_CALLS if self.copyreg_possible else NO_CALLS

    def on_call(self, call: ast.Call, resolver: Resolver) -> None:
        if not self.copyreg_possible:
            return
        if call.args and COPYREG in resolver.qualified_names(call.func):
            for symbol in resolver.symbols_of(call.args[0]):
                info = self.classes.get(id(symbol))
                if info is not None:
                    info.protocols = info.protocols | {COPYREG}

    def is_exception(self, cls: LocalDef) -> bool:
        """Whether ``cls`` derives from a built-in exception (through the module's classes, and the
        project's: ``class NotFound(BaseError)`` with ``BaseError`` imported from ``errors.py``)."""
        return _derives_from(cls, self._exception_name)

    def _exception_name(self, symbol: object) -> bool:
        if is_builtin_exception(symbol):
            return True
        asked = getattr(self.project, "exception_base", None)
        return isinstance(symbol, str) and asked is not None and asked(symbol) is not None

    def foreign_init(self, name: str) -> object:
        """What the ``__init__`` of another module's exception class ``name`` puts in ``args`` (a
        :class:`~flake8_pickle.checks.protocol.exceptions.ForeignInit`), or None."""
        from .checks.protocol.exceptions import read_foreign_init

        asked = getattr(self.project, "exception_init", None)
        return read_foreign_init(asked(name)) if asked is not None else None

    def plain_exception_base(self, name: str) -> Optional[str]:
        """The builtin exception another module's class ``name`` rebuilds as, when it adds nothing a
        rebuild reads (see ``ProjectIndex.exception_base``); None otherwise, or without the index."""
        asked = getattr(self.project, "exception_base", None)
        found = asked(name) if asked is not None else None
        return found[0] if found is not None and found[1] else None

    # ------------------------------------------------------------------ queries (after the walk)
    def held_by(self, symbols: Iterable[object], operation: str, depth: int = 0) -> Optional[Held]:
        """The first resource that makes ``operation`` fail on a value with these symbols."""
        if depth > _MAX_DEPTH:
            self._cut = True
            return None
        for symbol in sorted(symbols, key=symbol_order):
            held = self._held_by_symbol(symbol, operation, depth)
            if held is not None:
                return held
        return None

    def _held_by_symbol(self, symbol: object, operation: str, depth: int) -> Optional[Held]:
        if isinstance(symbol, str):
            facts: Optional[ResourceFacts] = None
            if symbol.endswith("()"):
                constructor = symbol[:-2]
                facts = resource_facts(constructor)
                if facts is None and constructor in self.extra:
                    facts = _EXTRA_FACTS
                if facts is None and self.project is not None:
                    # An instance of another module's class: as for the module's own (below), a
                    # ``copy.copy`` of it shares its attributes.
                    if operation == COPY:
                        return None
                    held = self._project_holds(constructor, operation)
                    if held is None and depth == 0 and isinstance(symbol, Constructed):
                        held = self._project_passed(symbol, constructor, operation)
                    return held
                name = constructor
            else:
                facts = RESOURCE_VALUES.get(unforked(symbol))
                name = symbol
            if facts is None or facts.condition:
                return None  # unmeasured, or fails only in some states or for some arguments
            held = Held(display_name(name), facts)
            return held if held.fails(operation) else None
        if isinstance(symbol, Contains):
            return self._held_by_symbol(symbol.item, operation, depth + 1)
        if isinstance(symbol, Generated) and operation != COPY and symbol.is_generator():
            return Held("a generator", SYNTACTIC_RESOURCES["<genexpr>"], line=getattr(symbol.node, "lineno", None))
        if isinstance(symbol, Generated) and self._resolver is not None:
            # ``self.db = make_db(path)``: what the module's factory makes on every call, when each
            # thing it may make holds a resource (``return sqlite3.connect(path)``).
            made = self._resolver.factory_made(symbol)
            helds = [self._held_by_symbol(replace(s, factory=False) if isinstance(s, LocalInstance) else s, operation, depth + 1) for s in made]
            if helds and all(held is not None for held in helds):
                first = helds[0]
                assert first is not None
                if first.path:  # an object of a class, holding the resource in an attribute
                    return first
                name = getattr(symbol.function, "name", "a factory")
                return replace(first, resource=f"{first.resource} (made by {name}())")
            return None
        unnamed = unnamed_callable(symbol)
        if unnamed is not None:
            # ``self.key = lambda x: x``: pickle stores functions and classes by name, and these have none.
            held = Held(unnamed[0], SYNTACTIC_RESOURCES[unnamed[1]], by_name=True)
            return held if held.fails(operation) else None
        if isinstance(symbol, LocalInstance) and symbol.factory:
            return None  # returned by a function of the module: its methods are known, not its state
        if isinstance(symbol, LocalInstance) and operation != COPY:
            # copy.copy of an instance shares its attributes: only C-level objects fail it. What this
            # very object was made with is named first (``Cache(threading.Lock())``), before what any
            # object of the class may hold (another call hands ``Cache`` a ``Backend``).
            if depth == 0 and symbol.passed and not symbol.replaced:
                held = self._passed_holds(symbol, operation, depth)
                if held is not None:
                    return held
            held = self.class_holds(symbol.cls, operation, depth + 1)
            skip = symbol.defaulted | frozenset(attr for attr, _ in symbol.replaced)
            if held is not None and held.path.partition(".")[2].partition(".")[0] in skip:
                # ``Task(task_id)``: the field that holds the resource is left at its default (None);
                # ``c.buffers = []``: this object's attribute no longer holds what the class put there.
                held = self._attributes_hold(symbol.cls, self.classes.get(id(symbol.cls)), operation, depth + 1, skip=skip)
            if held is None and depth == 0 and (symbol.passed or symbol.replaced):
                held = self._passed_holds(symbol, operation, depth)
            return held
        return None

    def _passed_holds(self, instance: LocalInstance, operation: str, depth: int) -> Optional[Held]:
        """What the constructor call that made this very instance passed into its attributes
        (``Job(1, conn)``), and what was stored in them since (``job.conn = other``): read for the object copied or sent itself, not for classes' attributes
        in general, whose other instances may be made with other arguments."""
        info = self.classes.get(id(instance.cls))
        if info is not None and info.protocols & PROTOCOL_COVERS[operation]:
            return None
        replaced = {attr for attr, _ in instance.replaced}
        for attr, symbols in [(a, v) for a, v in instance.passed if a not in replaced] + list(instance.replaced):
            held = self.held_by(symbols, DEEPCOPY if operation == ASDICT else operation, depth + 1)
            if held is not None:
                path = f"self.{attr}" + (f".{held.path[5:]}" if held.path.startswith("self.") else "")
                return replace(held, path=path, line=held.line or instance.cls.value_lines.get(attr) or instance.cls.attr_lines.get(attr), owner=held.owner or instance.cls)
        return None

    def _project_passed(self, made: Constructed, name: str, operation: str) -> Optional[Held]:
        """What the call that made this very instance of another module's class passed into its
        attributes (``Repo(Database())`` with ``self.db = db`` in ``Repo.__init__``), as
        :meth:`_passed_holds` reads it for the module's own classes."""
        found = self.project.init_stores(name)  # type: ignore[attr-defined]
        if found is None or self.project.inherited_state(name, operation) is not None:  # type: ignore[attr-defined]
            return None  # no ``__init__`` that stores what it is given, or a protocol decides
        params, stores = found
        for key, symbols in made.passed:
            param = params[int(key)] if key.isdigit() and int(key) < len(params) else key
            for attr in stores.get(param, ()):
                held = self.held_by(symbols, DEEPCOPY if operation == ASDICT else operation, 1)
                if held is not None:
                    path = f"self.{attr} of {display_name(name)}" + (f", {held.path}" if held.path else "")
                    return replace(held, path=path, owner=None)
        return None

    def _project_holds(self, name: str, operation: str) -> Optional[Held]:
        """What an instance of another module's class ``name`` holds that ``operation`` rejects
        (the index answers per operation, from that module's own class model)."""
        found = self.project.class_holds(name, operation)  # type: ignore[attr-defined]
        if found is None:
            return None
        resource, where, line, owner, path = found
        place = f"{path}, line {line}" if line else path
        facts = resource_facts(resource) or _PROJECT_FACTS
        created = Step(line, f"{resource} created in {where} of {owner}", path) if line else None
        return Held(resource, facts, f"{where} of {owner} ({place})", elsewhere=created)

    def class_holds(self, cls: LocalDef, operation: str, depth: int = 0) -> Optional[Held]:
        """What instances of ``cls`` hold that makes ``operation`` fail, unless its protocol covers it."""
        key = (id(cls), operation if self._own_only is None else f"{operation}/{self._own_only}")
        if key in self._memo:
            return self._memo[key]
        if key in self._asking:
            return self._asking[key]
        if key in self._open:
            self._cut = True  # a cycle holds nothing more than what its first pass finds
            return None
        outermost = not self._open
        self._open.add(key)
        outer, self._cut = self._cut, False
        try:
            result = self._class_holds(cls, operation, depth)
            # An answer a cycle or the depth bound cut short depends on where the question started:
            # kept only while the outermost question is answered, so that no answer depends on the
            # order the classes were asked in.
            (self._asking if self._cut else self._memo)[key] = result
        finally:
            self._open.discard(key)
            self._cut = outer or self._cut
            if outermost:
                self._asking.clear()
                self._cut = False
        return result

    def _class_holds(self, cls: LocalDef, operation: str, depth: int) -> Optional[Held]:
        if depth > _MAX_DEPTH:
            self._cut = True
            return None
        info = self.classes.get(id(cls))
        if info is not None and info.protocols & PROTOCOL_COVERS[operation]:
            return None
        state = self._inherited_state(cls, operation)
        if state is _DROPS_ALL:
            return None  # a base's ``__reduce__`` (or a state hook not understood) decides what travels
        for base in cls.bases:
            for symbol in sorted(base, key=_public_first):
                if isinstance(symbol, str):
                    facts = resource_facts(symbol)
                    if facts is not None and not facts.condition:
                        held = Held(display_name(symbol), facts, path=f"base class of {cls.name}", owner=cls)
                        if held.fails(operation):
                            return held
                    elif facts is None and self.project is not None and self._own_only != id(cls):
                        inherited = self._project_holds(symbol, operation)
                        if inherited is not None:
                            # Reported on the class that holds it, in its own module (PKL301 there).
                            path = f"{inherited.path}, inherited by {cls.name}"
                            return replace(inherited, path=path, line=None, owner=None)
                elif isinstance(symbol, LocalDef) and symbol.kind == "class":
                    held = self.class_holds(symbol, operation, depth + 1)
                    if held is not None:
                        return held
        return self._attributes_hold(cls, info, operation, depth, kept=state)

    def _inherited_state(self, cls: LocalDef, operation: str, depth: int = 0) -> Union[None, object, Tuple]:
        """The nearest base's protocol that covers ``operation`` for instances of ``cls``: None (no
        base defines one), :data:`_DROPS_ALL` (a ``__reduce__``, or a ``__getstate__`` whose state is
        not understood: it decides, as the class's own would), or the shapes of the state a base's
        ``__getstate__`` returns (it keeps only what they name: an allow-list drops what a subclass
        adds, ``self.__dict__`` less some keys keeps it)."""
        from .checks.protocol.state import kept_shapes  # the state reader builds on this model

        if depth > _MAX_LINEAGE_DEPTH:
            return None
        for base in cls.bases:
            for symbol in sorted(base, key=_public_first):
                if isinstance(symbol, LocalDef) and symbol.kind == "class":
                    info = self.classes.get(id(symbol))
                    covering = info.protocols & PROTOCOL_COVERS[operation] if info is not None else frozenset()
                    if covering - {"__getstate__"}:
                        return _DROPS_ALL
                    if covering:
                        shapes = kept_shapes(class_method(symbol.node, "__getstate__"))
                        return _DROPS_ALL if shapes is None else tuple(shapes)
                    found = self._inherited_state(symbol, operation, depth + 1)
                elif isinstance(symbol, str) and self.project is not None and resource_facts(symbol) is None:
                    found = self.project.inherited_state(symbol, operation)  # type: ignore[attr-defined]
                    found = _DROPS_ALL if found == "all" else (tuple(tuple(shape) for shape in found) if found else None)
                else:
                    continue
                if found is not None:
                    return found
        return None

    def _attributes_hold(
        self, cls: LocalDef, info: Optional[ClassInfo], operation: str, depth: int, own: bool = False, kept: object = None,
        skip: FrozenSet[str] = frozenset(),
    ) -> Optional[Held]:
        """What the class's own fields and instance attributes hold (its bases aside); with ``own``,
        only a resource the class holds itself (not one inside an instance of another class); with
        ``kept`` (the shapes of an inherited ``__getstate__``), only attributes that state keeps;
        ``skip``: attributes left out (a dataclass's fields at their constant default)."""
        from .checks.protocol.state import shape_keeps

        attributes: List[Tuple[str, FrozenSet, Optional[int]]] = []
        if info is not None:
            attributes.extend((name, symbols, line) for name, (symbols, line) in info.fields.items())
        attributes.extend((name, symbols, cls.value_lines.get(name) or cls.attr_lines.get(name)) for name, symbols in cls.instance_attrs.items())
        if isinstance(kept, tuple):
            attributes = [a for a in attributes if shape_keeps(kept, a[0])]  # type: ignore[arg-type]
        attributes = [a for a in attributes if a[0] not in skip]
        inner_operation = DEEPCOPY if operation == ASDICT else operation
        ordered = sorted(attributes, key=lambda a: (a[2] or 0, a[0]))
        # A resource the class holds directly is named before one inside an instance of another of
        # the module's classes: the shortest path, and no path that loops back to the class.
        for direct in (True, False):
            for name, symbols, line in ordered:
                nested = frozenset(s for s in symbols if _module_instance(s))
                asked = symbols - nested if direct else nested  # the direct ones held nothing
                held = self.held_by(asked, inner_operation, depth + 1) if asked else None
                if held is not None:
                    if own and held.owner is not None and held.owner is not cls:
                        continue
                    path = f"self.{name}" + (f".{held.path[5:]}" if held.path.startswith("self.") else "")
                    return replace(held, path=path, line=held.line or line, owner=held.owner or cls)
        return None

    def unprotected_resource_classes(self, only: Optional[Callable[[ClassInfo], bool]] = None) -> List[Tuple[ClassInfo, Held]]:
        """Classes whose own attributes or bases are resources that pickle or deepcopy reject
        (among those ``only`` accepts: what they hold is not looked into for the others)."""
        out = []
        for info in self.classes.values():
            if only is not None and not only(info):
                continue
            if self.is_typed_dict(info.local):
                continue  # its instances are dicts; what they hold is reported where they are copied
            if self.project is not None:
                # A class is reported for what it holds itself, and a base another module defines
                # can only take that away: ask the index only about classes that hold something.
                self._own_only = id(info.local)
                try:
                    own = self.class_holds(info.local, DEEPCOPY) or self.class_holds(info.local, PICKLE)
                finally:
                    self._own_only = None
                if own is None:
                    continue
            held = self.class_holds(info.local, DEEPCOPY) or self.class_holds(info.local, PICKLE)
            if held is not None and held.owner is not info.local:
                # A base (or an attribute's class) holds a resource, and the class may hold one of its
                # own: a protocol added there would not cover it, so the class is reported for its own.
                held = None
                if not info.protocols & (PROTOCOL_COVERS[DEEPCOPY] | PROTOCOL_COVERS[PICKLE]):
                    held = self._attributes_hold(info.local, info, DEEPCOPY, 0, own=True) or self._attributes_hold(
                        info.local, info, PICKLE, 0, own=True
                    )
            if held is not None and held.owner is info.local:
                out.append((info, held))
        return sorted(out, key=lambda pair: getattr(pair[0].local.node, "lineno", 0))

    def info(self, cls: LocalDef) -> Optional[ClassInfo]:
        """What the module's class ``cls`` defines (None for classes the model has not seen)."""
        return self.classes.get(id(cls))

    def is_typed_dict(self, cls: LocalDef) -> bool:
        """Whether ``cls`` is a ``TypedDict`` (directly or through the module's classes)."""
        return _derives_from(cls, TYPED_DICT_BASES.__contains__)

    def registered(self, cls: LocalDef) -> bool:
        """Whether the module registers a reducer for ``cls`` with ``copyreg.pickle``."""
        info = self.classes.get(id(cls))
        return info is not None and COPYREG in info.protocols


_EXTRA_FACTS = ResourceFacts(
    type_name="(--pickle-extra-resources)",
    pickle=FAIL,
    pickle_p0=FAIL,
    deepcopy=FAIL,
    copy="ok",
    copy_fails=False,
    error="declared unpicklable by --pickle-extra-resources",
    kind=KIND_RESOURCE,
    condition="",
    evidence=("--pickle-extra-resources",),
)

#: What another module's class holds, per the index: it answers per operation, so every one fails.
_PROJECT_FACTS = replace(
    _EXTRA_FACTS,
    type_name="(project index)",
    copy=FAIL,
    copy_fails=True,
    error="holds a resource, per the class's own module",
    evidence=("project index",),
)


# --------------------------------------------------------------------------- lineage


@dataclass
class Lineage:
    """A class's in-module ancestry: an MRO approximation and whether it is complete."""

    classes: List[LocalDef]
    builtins: List[str]
    complete: bool
    #: Exception classes of other modules whose ``__init__`` the project index describes (see
    #: :class:`~flake8_pickle.checks.protocol.exceptions.ForeignInit`), nearest first; with them the
    #: lineage is complete for what rebuilding reads (``foreign_complete``), not for other questions.
    foreign: List[object] = field(default_factory=list)
    foreign_complete: bool = False

    def defines(self, name: str) -> bool:
        return any(name in cls.members for cls in self.classes)

    def refuses_copies(self) -> bool:
        """Whether the class raises on purpose whenever it is pickled or copied: the hook that decides
        (``__reduce_ex__``, else ``__reduce__``, else ``__getstate__``, nearest first) only raises, and
        no ``__copy__``/``__deepcopy__`` goes around it (metaflow's ``FlowSpec``)."""
        if not self.complete or self.defines("__copy__") or self.defines("__deepcopy__"):
            return False
        for hook in ("__reduce_ex__", "__reduce__", "__getstate__"):
            owner = next((cls for cls in self.classes if hook in cls.members), None)
            if owner is not None:
                methods = [s for s in owner.members[hook] if isinstance(s, LocalDef) and s.kind == "function"]
                return len(methods) == len(owner.members[hook]) == 1 and _only_raises(methods[0].node)
        return False

    def is_exception(self) -> bool:
        """Whether the exact lineage reaches a builtin exception (:meth:`ClassModel.is_exception` also
        answers for bases it cannot order: this one is what rebuilding the class can rely on)."""
        return any(is_builtin_exception(name) for name in self.builtins)


def _only_raises(function: ast.AST) -> bool:
    """Whether ``function``'s body raises before doing anything (a docstring aside)."""
    body = list(getattr(function, "body", []))
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    return bool(body) and isinstance(body[0], ast.Raise)


def lineage(
    cls: LocalDef, plain_base: Optional[Callable[[str], Optional[str]]] = None, foreign_init: Optional[Callable[[str], object]] = None
) -> Lineage:
    """Depth-first, left-to-right ancestry keeping each class's last occurrence (C3 for the usual shapes).
    ``plain_base``: the builtin a class of another module stands for, when it adds nothing (see
    :meth:`ClassModel.plain_exception_base`); ``foreign_init``: the described ``__init__`` of one that
    defines its own (see :meth:`ClassModel.foreign_init`)."""
    order: List[Union[LocalDef, str]] = []
    complete = True
    foreign: List[object] = []
    only_foreign = True
    stack: List[Tuple[Union[LocalDef, str], int]] = [(cls, 0)]
    while stack:
        item, depth = stack.pop()
        order.append(item)
        if not isinstance(item, LocalDef):
            continue
        if depth > _MAX_LINEAGE_DEPTH or len(order) > _MAX_LINEAGE:
            complete = only_foreign = False
            break
        pushed: List[Tuple[Union[LocalDef, str], int]] = []
        for base in item.bases:
            symbols = list(base)
            if len(symbols) != 1:
                complete = only_foreign = False
                continue
            symbol = symbols[0]
            if isinstance(symbol, LocalDef) and symbol.kind == "class":
                pushed.append((symbol, depth + 1))
            elif isinstance(symbol, str) and symbol.startswith("builtins.") and symbol not in GROUP_EXCEPTIONS:
                pushed.append((symbol, depth + 1))
            elif (
                isinstance(symbol, str)
                and plain_base is not None
                and (builtin := plain_base(symbol)) is not None
                and builtin not in GROUP_EXCEPTIONS
            ):
                pushed.append((builtin, depth + 1))
            elif isinstance(symbol, str) and foreign_init is not None and (described := foreign_init(symbol)) is not None:
                complete = False  # its other methods are not known here
                foreign.append(described)
                pushed.append((described.builtin, depth + 1))  # type: ignore[attr-defined]
            else:
                complete = False
                only_foreign = False
        stack.extend(reversed(pushed))
    seen: Set[Tuple[str, object]] = set()
    deduplicated: List[Union[LocalDef, str]] = []
    for item in reversed(order):
        key = ("local", id(item)) if isinstance(item, LocalDef) else ("name", item)
        if key not in seen:
            seen.add(key)
            deduplicated.append(item)
    deduplicated.reverse()
    classes = [c for c in deduplicated if isinstance(c, LocalDef)]
    names = [c for c in deduplicated if isinstance(c, str) and c != "builtins.object"]
    return Lineage(classes, names, complete, foreign, bool(foreign) and only_foreign)
