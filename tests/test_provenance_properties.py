"""Monotonicity of provenance, checked on generated flows (hypothesis).

A flow is a chain of steps built from the forms the analysis supports (assignments,
helpers, joins, containers, loops, attributes, comprehensions, generators, transforms,
concatenation, method calls), fed by inputs that are literals, dumps, parameters or
untrusted request data, and ending in one ``pickle.loads``. Every form passes its inputs
on, so:

* replacing any input by an untrusted source never makes a reported load silent and never
  lowers its tier (silent < PKL102 < PKL101);
* in fact it always makes the load PKL101: untrusted data that reaches a loader is never
  graded below untrusted, whatever forms it passed through.

The flows run through :func:`flake8_pickle.analysis.analyze` (the engine flake8 calls); the
fixture tests run the real flake8.
"""

from __future__ import annotations

import ast
from typing import List, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_pickle.analysis import analyze

LITERAL = 'b"\\x80\\x04N."'
DUMP = "pickle.dumps(None)"
PARAM = "param"
SOURCE = "request.get_data()"
INPUTS = (LITERAL, DUMP, PARAM, SOURCE)
TIER = {None: 0, "PKL102": 1, "PKL101": 2}

#: A step: (module-level definitions, statements inside the flow) given the previous value
#: ``{prev}``, a second input ``{other}`` and a unique suffix ``{n}``.
FORMS = {
    "assign": ("", "v{n} = {prev}"),
    "tuple_unpack": ("", "v{n}, _w{n} = {prev}, {other}"),
    "helper": ("def helper{n}(x):\n    return x\n", "v{n} = helper{n}({prev})"),
    "helper_kw": ("def helper{n}(a, b=None):\n    return b\n", "v{n} = helper{n}({other}, b={prev})"),
    "join": ("", 'v{n} = b"".join([{prev}, {other}])'),
    "sep_join": ("", 'v{n} = b",".join(({other}, {prev}))'),
    "container": ("", "v{n} = [{other}, {prev}][1]"),
    "dict": ("", 'v{n} = {{"a": {prev}, "b": {other}}}["a"]'),
    "loop_append": ("", "acc{n} = []\nfor _ in range(2):\n    acc{n}.append({prev})\nv{n} = b\"\".join(acc{n})"),
    "loop_back_edge": (
        "",
        "a{n} = b{n} = {other}\nfor _ in range(2):\n    a{n} = b{n}\n    b{n} = {prev}\nv{n} = a{n}",
    ),
    "bytearray_extend": ("", "buf{n} = bytearray()\nbuf{n}.extend({prev})\nv{n} = bytes(buf{n})"),
    "attribute": ("class Box{n}:\n    pass\n", "box{n} = Box{n}()\nbox{n}.data = {prev}\nv{n} = box{n}.data"),
    "method_state": (
        "class Holder{n}:\n    def put(self, value):\n        self.value = value\n\n"
        "    def get(self):\n        return self.value\n",
        "holder{n} = Holder{n}()\nholder{n}.put({prev})\nv{n} = holder{n}.get()",
    ),
    "comprehension": ("", "v{n} = b\"\".join([p for p in [{prev}, {other}]])"),
    "generator": (
        "def gen{n}(x):\n    yield x\n",
        "for item{n} in gen{n}({prev}):\n    v{n} = item{n}",
    ),
    "yield_from": (
        "def inner{n}(x):\n    yield x\n\n\ndef outer{n}(x):\n    yield from inner{n}(x)\n",
        'v{n} = b"".join(outer{n}({prev}))',
    ),
    "transform": ("", "v{n} = base64.b64decode({prev})"),
    "concat": ("", "v{n} = {other} + {prev}"),
    "method": ("", 'v{n} = {prev}.decode("latin-1").encode("latin-1")'),
    "fstring": ("", 'v{n} = f"{{{prev}}}".encode()'),
    "walrus": ("", "if (w{n} := {prev}) is not None:\n    v{n} = w{n}\nelse:\n    v{n} = {other}"),
}

#: Forms whose result always holds their second input too (not only in some branch or iteration).
OTHER_FLOWS = frozenset({"join", "sep_join", "comprehension", "concat"})

steps = st.lists(
    st.tuples(st.sampled_from(sorted(FORMS)), st.sampled_from(INPUTS)), min_size=1, max_size=5
)


def build(first: str, chain: List[Tuple[str, str]]) -> str:
    """The module for a flow: imports, the forms' definitions, ``flow(param)`` ending in a load."""
    definitions: List[str] = []
    body: List[str] = [f"v0 = {first}"]
    for n, (form, other) in enumerate(chain, start=1):
        definition, statements = FORMS[form]
        fill = {"prev": f"v{n - 1}", "other": other, "n": n}
        if definition:
            definitions.append(definition.format(**fill))
        body.append(statements.format(**fill))
    indented = "\n".join("    " + line for block in body for line in block.split("\n"))
    last = len(chain)
    return (
        "import base64\nimport pickle\n\nfrom flask import request\n\n\n"
        + "\n\n".join(definitions)
        + f"\n\ndef flow(param):\n{indented}\n    return pickle.loads(v{last})\n"
    )


def tier(source: str) -> int:
    codes = {f.code for f in analyze(ast.parse(source), source=source)} & {"PKL101", "PKL102"}
    return TIER["PKL101"] if "PKL101" in codes else TIER["PKL102"] if "PKL102" in codes else TIER[None]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.sampled_from(INPUTS), chain=steps, data=st.data())
def test_an_untrusted_input_never_lowers_the_tier(first, chain, data) -> None:
    original = build(first, chain)
    before = tier(original)
    # Replace one input (the first value, or one step's second input) by request data.
    slot = data.draw(st.integers(min_value=0, max_value=len(chain)), label="slot")
    if slot == 0:
        mutated = build(SOURCE, chain)
    else:
        changed = list(chain)
        changed[slot - 1] = (changed[slot - 1][0], SOURCE)
        mutated = build(first, changed)
    after = tier(mutated)
    assert after >= before, f"tier fell from {before} to {after}:\n--- before\n{original}\n--- after\n{mutated}"
    if slot == 0 or chain[slot - 1][0] in OTHER_FLOWS:
        # The replaced input really flows into the load: it must be graded untrusted.
        assert after == TIER["PKL101"], f"untrusted input graded {after}:\n{mutated}"


@settings(max_examples=100, deadline=None)
@given(chain=steps)
def test_a_flow_of_trusted_inputs_stays_silent_or_known(chain) -> None:
    """Sanity for the generator: a flow fed only by literals and dumps is never PKL101."""
    trusted = [(form, LITERAL) for form, _ in chain]
    assert tier(build(DUMP, trusted)) < TIER["PKL101"]
