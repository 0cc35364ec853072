"""HMAC and signature checks: inline (:func:`verification`), and the check helpers of the module and,
through the project index, of other modules (provenance: PKL101/PKL102 stay silent on data a helper
verified, as on data an inline check verified).

Three shapes, each read from the helper's own statements:

- a predicate: every ``return`` is a check's outcome (``return hmac.compare_digest(expected, sig)``),
  so ``if not is_valid(data, sig): abort(403)`` verifies ``data`` as the inline check would;
- an assertion: a check at the top of its body whose failing branch raises or never returns
  (``if not compare_digest(...): raise ValueError``), so the data passed to it is verified once the
  call returns (``verify(data, sig)`` as a statement);
- an assertion that returns what it verified (``return body`` after checking ``body``'s MAC): its
  result is verified data (``pickle.loads(verify(request.get_data()))``).

Which parameters a check verifies is what its operands are made of, through the helper's own
assignments (``expected = hmac.new(KEY, payload, sha256).hexdigest()`` makes ``payload`` one): a
check of a token against a constant verifies the token, not the payload passed beside it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Optional, Set, Tuple

from .catalog.conventions import NO_RETURN
from .catalog.taint import DIGESTS, MAC_MAKERS, VERIFIERS, NamePatterns
from .shapes import bound_once, is_staticmethod, own_nodes, positional_parameters
from .symbols import LocalDef

if TYPE_CHECKING:
    from .scope import Resolver

#: How a test is read: (holds only for verified data?, the operands it checked), or None.
Verification = Callable[[ast.expr], Optional[Tuple[bool, List[ast.expr]]]]

PREDICATE = "predicate"
ASSERTS = "asserts"
#: A helper that computes a MAC of its parameters under a key none of them gives
#: (``return hmac.new(KEY, body, sha256).hexdigest()``): comparing what it returns verifies them.
SIGNS = "signs"
_KINDS = (PREDICATE, ASSERTS, SIGNS)


@dataclass(frozen=True)
class Verifier:
    """What a helper verifies: ``kind`` (:data:`PREDICATE` or :data:`ASSERTS`), the parameters
    whose data its check reads, and whether it returns only data made of those (``returns``)."""

    kind: str
    params: FrozenSet[str]
    returns: bool = False
    #: For :data:`SIGNS`: the parameter that gives the MAC's key (``hmac.new(key, body)``), if one does.
    key: Optional[str] = None


def helper_verifier(function: ast.AST, verification: Verification, resolver: "Resolver") -> Optional[Verifier]:
    """The :class:`Verifier` ``function`` is, or None."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    params = [p for p in positional_parameters(function)]
    if params and _bound(function) and params[0] in ("self", "cls"):
        params = params[1:]
    if not params:
        return None
    nodes = own_nodes(function)
    returns = [node for node in nodes if isinstance(node, ast.Return)]
    signed = _signs(function, returns, params, nodes, resolver)
    if signed is not None:
        return Verifier(SIGNS, signed[0], key=signed[1])
    checked: List[ast.expr] = []
    if returns and all(_predicate_return(r.value, verification, checked) for r in returns):
        verified = frozenset(params) & _closure(checked, _assignments(nodes))
        return Verifier(PREDICATE, verified) if verified else None
    flows: Optional[Dict[str, Set[str]]] = None  # read only once a check is found (most helpers have none)
    for statement in function.body:
        if not isinstance(statement, ast.If):
            continue
        found = verification(statement.test)
        if found is None:
            continue
        failing = statement.body if not found[0] else statement.orelse
        if failing and (isinstance(failing[-1], ast.Raise) or _no_return_call(failing[-1], resolver)):
            flows = _assignments(nodes) if flows is None else flows
            verified = frozenset(params) & _closure(found[1], flows)
            if not verified:
                continue
            given = [r.value for r in returns if r.value is not None]
            made_of = frozenset(params) & _closure(given, flows) if given else frozenset()
            return Verifier(ASSERTS, verified, bool(given) and made_of <= verified)
    return None


def _signs(
    function: ast.AST, returns: List[ast.Return], params: List[str], nodes: List[ast.AST], resolver: "Resolver"
) -> Optional[Tuple[FrozenSet[str], Optional[str]]]:
    """The parameters every ``return`` is a MAC of (:data:`SIGNS`), over the whole of each (not a
    slice), and the parameter that is the key (``hmac.new(key, body)``) if one is; None if the helper
    is no such thing, or if parameters make its key otherwise."""
    found = _mac_returns(returns, function, resolver)
    if not found:
        return None
    flows = _assignments(nodes)
    signed: Set[str] = set()
    keys: Set[Optional[str]] = set()
    for mac in found:
        key, msg = mac.args[0], mac.args[1]
        if isinstance(msg, ast.Subscript) and isinstance(msg.slice, ast.Slice):
            return None
        of = frozenset(params) & _closure([msg], flows)
        keyed = frozenset(params) & _closure([key], flows)
        if not of or (keyed and not (isinstance(key, ast.Name) and key.id in params and key.id not in flows)):
            return None
        signed |= of
        keys.add(key.id if keyed else None)  # type: ignore[attr-defined]
    if len(keys) != 1:
        return None
    key_param = keys.pop()
    if key_param is not None and not (len(signed) == 1 and all(isinstance(m.args[1], ast.Name) for m in found)):
        return None  # a keyed MAC is read only in its plainest shape: ``hmac.new(key, body)``
    return frozenset(signed), key_param


def mac_call(function: ast.AST, resolver: "Resolver") -> Optional[ast.Call]:
    """The MAC call a :data:`SIGNS` helper returns (its first, if several)."""
    found = _mac_returns([n for n in own_nodes(function) if isinstance(n, ast.Return)], function, resolver)
    return found[0] if found else None


def _mac_returns(returns: List[ast.Return], function: ast.AST, resolver: "Resolver") -> Optional[List[ast.Call]]:
    """The MAC-making call (``hmac.new(key, msg, ...)``) each ``return`` gives, read through a digest
    (``.hexdigest()``) and a name bound once (``mac = hmac.new(...)``); None unless every one does."""
    if not returns:
        return None
    calls: List[ast.Call] = []
    for r in returns:
        value = r.value
        while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _DIGEST_READS and not value.args:
            value = value.func.value
        if isinstance(value, ast.Name):  # ``mac = hmac.new(...)`` then ``return mac.hexdigest()``
            value = bound_once(function, value.id) or value
        if not (isinstance(value, ast.Call) and resolver.qualified_names(value.func) & MAC_MAKERS and len(value.args) >= 2):
            return None
        calls.append(value)
    return calls


#: What reads a MAC object's digest (``mac.hexdigest()``) or re-encodes it.
_DIGEST_READS = frozenset({"hexdigest", "digest", "encode", "decode"})


def signed_operands(operands: List[ast.expr], resolver: "Resolver", sanitizers: NamePatterns) -> Tuple[bool, List[ast.expr]]:
    """``operands`` of a comparison, each call of a :data:`SIGNS` helper (the module's or another's)
    replaced by the arguments it signs (``compare_digest(sign(body), sig)`` checks ``body``); and
    whether any was."""
    out: List[ast.expr] = []
    found = False
    for operand in operands:
        signed = _signed_by_helper(operand, resolver, sanitizers) if isinstance(operand, ast.Call) else None
        if signed is None:
            out.append(operand)
        else:
            out.extend(signed)
            found = True
    return found, out


def _signed_by_helper(call: ast.Call, resolver: "Resolver", sanitizers: NamePatterns) -> Optional[List[ast.expr]]:
    """The arguments ``call`` signs, when every function it may run is a :data:`SIGNS` helper."""
    callees = len(resolver.symbols_of(call.func))
    local = helper_verifiers(call, resolver, sanitizers)
    if local:
        if len(local) != callees or any(v.kind != SIGNS for _, v in local):
            return None
        function, verifier = local[0]
        if verifier.key is None:
            return verified_arguments(call, function, verifier)
        return _as_mac(call, function, verifier, resolver)
    elsewhere = project_verifiers(call, resolver)
    if not elsewhere or len(elsewhere) != callees or any(v.kind != SIGNS or v.key is not None for _, _, v in elsewhere):
        return None  # another module's keyed MAC is read from its summary's returns instead
    return passed_for(call, *elsewhere[0])


def _as_mac(call: ast.Call, function: ast.AST, verifier: Verifier, resolver: "Resolver") -> Optional[List[ast.expr]]:
    """``mac_under(body, key)`` as the MAC call it makes, with the call's arguments
    (``hmac.new(key, body)``): its key decides what it verifies, as inline. Kept alive with the
    resolver (facts are remembered by node)."""
    remembered = (id(call), id(function))
    made = resolver.helper_macs.get(remembered)
    if made is None:
        mac = mac_call(function, resolver)
        msg = verified_arguments(call, function, verifier)
        given = verified_arguments(call, function, Verifier(SIGNS, frozenset((verifier.key,))))  # type: ignore[arg-type]
        if mac is None or len(msg) != 1 or len(given) != 1:
            return None
        made = ast.copy_location(ast.Call(func=mac.func, args=[given[0], msg[0]], keywords=[]), call)
        resolver.helper_macs[remembered] = made
    return [made]


def verified_arguments(call: ast.Call, function: ast.AST, verifier: Verifier) -> List[ast.expr]:
    """The arguments of ``call`` (of ``function``) passed for the parameters ``verifier`` verifies."""
    params = positional_parameters(function)
    if isinstance(call.func, ast.Attribute) and _bound(function) and params:
        params = params[1:]
    return passed_for(call, params, 0, verifier)


def passed_for(call: ast.Call, params: List[str], shift: int, verifier: Verifier) -> List[ast.expr]:
    """The arguments of ``call`` passed for the parameters ``verifier`` verifies, for another
    module's helper whose parameters (``self`` left out) are ``params`` and whose call passes
    ``shift`` positional arguments before them (1 for ``Class.method(obj, x)``)."""
    out: List[ast.expr] = []
    for position, value in enumerate(call.args):
        if isinstance(value, ast.Starred):
            break
        index = position - shift
        if 0 <= index < len(params) and params[index] in verifier.params:
            out.append(value)
    out.extend(k.value for k in call.keywords if k.arg in verifier.params)
    return out


def written(verifier: Verifier) -> List[object]:
    """``verifier`` as a summary keeps it (see :func:`read_verifier`)."""
    return [verifier.kind, sorted(verifier.params), verifier.returns, verifier.key]


def read_verifier(entry: object) -> Optional[Verifier]:
    """The :class:`Verifier` a summary's function entry keeps under ``verifies`` (None: none, or
    written by other code)."""
    found = entry.get("verifies") if isinstance(entry, dict) else None
    if not (isinstance(found, list) and len(found) == 4 and found[0] in _KINDS and isinstance(found[1], list)):
        return None
    key = found[3] if isinstance(found[3], str) else None
    return Verifier(found[0], frozenset(p for p in found[1] if isinstance(p, str)), found[2] is True, key)


def _bound(function: ast.AST) -> bool:
    return not is_staticmethod(function)


def _predicate_return(value: Optional[ast.expr], verification: Verification, checked: List[ast.expr]) -> bool:
    if isinstance(value, ast.Constant) and value.value in (False, None):
        return True  # ``return False`` on an early failure
    if value is None:
        return False
    found = verification(value)
    if found is None or not found[0]:
        return False
    checked.extend(found[1])
    return True


def _no_return_call(statement: ast.stmt, resolver: "Resolver") -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and bool(resolver.qualified_names(statement.value.func) & NO_RETURN)
    )


def _assignments(nodes: List[ast.AST]) -> Dict[str, Set[str]]:
    """Each name the helper assigns -> the names its values read (``mac, _, body = message.partition(b".")``),
    from the helper's own nodes."""
    flows: Dict[str, Set[str]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        read = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        for target in targets:
            for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                flows.setdefault(name, set()).update(read)
    return flows


def _closure(expressions: List[ast.expr], flows: Dict[str, Set[str]]) -> FrozenSet[str]:
    """The names ``expressions`` read, and the names those were assigned from, and so on."""
    seen: Set[str] = set()
    todo = [n.id for e in expressions for n in ast.walk(e) if isinstance(n, ast.Name)]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(flows.get(name, ()))
    return frozenset(seen)


def verification(
    test: ast.expr, resolver: Resolver, sanitizers: NamePatterns, helpers: bool = True, within: Optional[ast.AST] = None
) -> Optional[Tuple[bool, List[ast.expr]]]:
    """For an HMAC or signature check (``compare_digest(a, b)``, ``digest == sig``, a sanitizer's
    call, negated or not): whether it holds only for verified data (else only for unverified), and
    the operands it checked; None for any other test. ``within``: the helper whose body holds the
    test, read from elsewhere (its locals, ``expected = hmac.new(...).hexdigest()``, read from it)."""
    positive = True
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        positive = not positive
        test = test.operand
    if isinstance(test, ast.BoolOp):
        # ``sig and compare_digest(...)`` holds only for verified data; ``not sig or not
        # compare_digest(...)`` fails only for verified data (its ``raise`` guards what follows).
        wanted = isinstance(test.op, ast.And)
        for value in test.values:
            found = verification(value, resolver, sanitizers, helpers, within)
            if found is not None and found[0] == wanted:
                return (wanted if positive else not wanted), found[1]
        return None
    if isinstance(test, ast.Call):
        names = resolver.qualified_names(test.func)
        if names & VERIFIERS:
            operands = list(test.args) + [k.value for k in test.keywords]
            if not helpers:
                # Inside a helper read at the deepest level: a MAC on one side, read without helpers.
                return (positive, operands) if any(_is_mac(operand, resolver, within) for operand in operands) else None
            signs, signed = signed_operands(operands, resolver, sanitizers)
            if not signs and not any(_is_mac(operand, resolver, within) for operand in operands):
                # ``compare_digest(hashlib.sha256(body).hexdigest(), sig)``: no key, so the sender
                # computes the same digest of any body it sends; it verifies nothing.
                return None
            return positive, signed
        if any(sanitizers.is_one(n) for n in names):
            return positive, list(test.args) + [k.value for k in test.keywords]
        for function, verifier in helper_verifiers(test, resolver, sanitizers) if helpers else ():
            if verifier.kind == PREDICATE:
                return positive, verified_arguments(test, function, verifier)
        for params, shift, verifier in project_verifiers(test, resolver) if helpers else ():
            if verifier.kind == PREDICATE:  # ``if not security.is_valid(data, sig)``, another module's
                return positive, passed_for(test, params, shift, verifier)
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.NotEq)):
        operands = [test.left, test.comparators[0]]
        signs, signed = signed_operands(operands, resolver, sanitizers) if helpers else (False, operands)
        if signs or any(_is_mac(side, resolver, within) for side in operands):
            return (positive if isinstance(test.ops[0], ast.Eq) else not positive), signed
    return None


def _is_mac(operand: ast.expr, resolver: "Resolver", within: Optional[ast.AST] = None) -> bool:
    """Whether ``operand`` is a MAC's digest (``hmac.new(key, msg, ...).hexdigest()``, a name bound to
    one, ``hmac.digest(...)``), as the resolver reads it here (or, for a local of the helper
    ``within``, as that helper binds it once)."""
    operand = _recoded(operand)
    if within is not None and type(operand) is ast.Name:
        bound = bound_once(within, operand.id)
        if bound is not None:
            operand = _recoded(bound)
    for name in resolver.qualified_names(operand):
        while name.endswith((".encode()", ".decode()")):  # ``expected = mac.hexdigest().encode()``
            name = name[: -len(".encode()")]
        if name in DIGESTS or (name.endswith("()") and name[:-2] in MAC_MAKERS):
            return True
    return False


def _recoded(side: ast.expr) -> ast.expr:
    """``mac.hexdigest().encode()`` -> ``mac.hexdigest()``: a digest re-encoded is still the digest."""
    while (
        isinstance(side, ast.Call) and isinstance(side.func, ast.Attribute) and side.func.attr in ("encode", "decode") and not side.args
    ):
        side = side.func.value
    return side


#: How deep a helper's check may run through further helpers (``require`` raising unless ``verify``
#: returns True, ``verify`` comparing an HMAC): each level is one more helper read.
_HELPER_NESTING = 2


def nested_verification(
    resolver: Resolver, sanitizers: NamePatterns, helper: ast.AST
) -> Callable[[ast.expr], Optional[Tuple[bool, List[ast.expr]]]]:
    """:func:`verification` for the tests inside ``helper``, being read: the module's other helpers
    count there too, to :data:`_HELPER_NESTING` levels (``require`` -> ``verify``)."""
    depth = resolver.verifier_nesting

    def verify(test: ast.expr) -> Optional[Tuple[bool, List[ast.expr]]]:
        resolver.verifier_nesting = depth + 1
        try:
            return verification(test, resolver, sanitizers, helpers=depth + 1 < _HELPER_NESTING, within=helper)
        finally:
            resolver.verifier_nesting = depth

    return verify


def helper_verifiers(call: ast.Call, resolver: Resolver, sanitizers: NamePatterns) -> List[Tuple[ast.AST, Verifier]]:
    """The module's own check helpers ``call`` may run (``is_valid(data, sig)``), with what each verifies."""
    out: List[Tuple[ast.AST, Verifier]] = []
    for symbol in resolver.symbols_of(call.func):
        if type(symbol) is not LocalDef or symbol.kind != "function":
            continue
        key = id(symbol.node)
        if key not in resolver.helper_verifiers:
            resolver.helper_verifiers[key] = None  # a helper calling itself is no verifier
            resolver.helper_verifiers[key] = helper_verifier(symbol.node, nested_verification(resolver, sanitizers, symbol.node), resolver)
        found = resolver.helper_verifiers[key]
        if isinstance(found, Verifier):
            out.append((symbol.node, found))
    return out


def asserted_arguments(call: ast.Call, resolver: Resolver, sanitizers: NamePatterns) -> Optional[List[ast.expr]]:
    """For ``verify(data, sig)``, where every function the call may run is a helper of the module that
    raises unless its check passes: the arguments it verified; else None."""
    found = helper_verifiers(call, resolver, sanitizers)
    callees = len(resolver.symbols_of(call.func))
    if not found:
        # Another module's helper (``security.verify(data, sig)``), from its summary.
        elsewhere = project_verifiers(call, resolver)
        if not elsewhere or len(elsewhere) != callees or any(v.kind != ASSERTS for _, _, v in elsewhere):
            return None
        return passed_for(call, *elsewhere[0])
    if len(found) != callees or any(v.kind != ASSERTS for _, v in found):
        return None
    return verified_arguments(call, found[0][0], found[0][1])


def project_verifiers(call: ast.Call, resolver: Resolver) -> List[Tuple[List[str], int, Verifier]]:
    """The check helpers of other modules ``call`` may run: each one's parameters, the call's
    positional shift and what it verifies (as the project index's summaries say)."""
    hook = resolver.verifier_of
    if hook is None:
        return []
    out = []
    for symbol in resolver.symbols_of(call.func):
        found = hook(symbol) if isinstance(symbol, str) else None
        if found is not None:
            out.append(found)
    return out


def returns_verified(call: ast.Call, function: ast.AST, resolver: Resolver, sanitizers: NamePatterns) -> bool:
    """Whether ``call`` of the module's ``function`` returns only data its check verified
    (``return body`` after checking ``body``'s MAC, raising otherwise)."""
    return any(
        f is function and v.kind == ASSERTS and v.returns for f, v in helper_verifiers(call, resolver, sanitizers)
    )


class NamedChecks:
    """Checks kept in a name before the test reads it (``valid = hmac.compare_digest(a, b)``, then
    ``if not valid: abort(403)``): each name's check, per function, until the name is bound again."""

    def __init__(self) -> None:
        self._held: Dict[Tuple[int, str], Tuple[bool, List[ast.expr]]] = {}

    def assigned(self, node: ast.Assign, resolver: "Resolver", sanitizers: NamePatterns) -> None:
        scope = id(resolver.function_stack[-1]) if resolver.function_stack else 0
        for target in node.targets:
            for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                self._held.pop((scope, name), None)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found = verification(node.value, resolver, sanitizers)
            if found is not None:
                self._held[(scope, node.targets[0].id)] = found

    def found(self, test: ast.expr, resolver: "Resolver") -> Optional[Tuple[bool, List[ast.expr]]]:
        """What ``test`` checks when it reads a name that holds a check (negated or not), or None."""
        positive = True
        while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            positive, test = not positive, test.operand
        if not isinstance(test, ast.Name):
            return None
        held = self._held.get((id(resolver.function_stack[-1]) if resolver.function_stack else 0, test.id))
        return None if held is None else (held[0] == positive, held[1])
