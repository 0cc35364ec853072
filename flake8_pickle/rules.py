"""The one registry of flake8-pickle codes.

Every code the plugin can report lives here, once. Messages, the rule
documentation pages (``docs/rules/PKLnnn.md``), the README code table and the
off-by-default list handed to flake8 are all derived from this module; a test
keeps them equal. Regenerate the pages with ``python -m flake8_pickle.docs``.

The registry holds the data of each code (message, family, defaults, fix safety,
options, references). The prose of its page (what it does, why it is bad, known
problems, the examples, fix notes) is Markdown in ``prose/PKLnnn.md``, one file per
code, with shared passages in ``prose/_name.md``. Runtime errors quoted in the prose
were measured on CPython 3.11 (``shared/oracle/table.md``); newer versions word some
differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

IMPLEMENTED = "implemented"
PLANNED = "planned"

FIX_NONE = "none"
FIX_SAFE = "safe"
FIX_UNSAFE = "unsafe"
FIX_MIXED = "safe or unsafe"


#: Where each rule's prose lives: ``prose/PKLnnn.md``, one Markdown file per code.
PROSE_DIR = Path(__file__).resolve().parent / "prose"
#: The prose sections of a rule page, as its Markdown source heads them, and the field each fills.
PROSE_SECTIONS: Dict[str, str] = {
    "What it does": "what_it_does",
    "Why is this bad?": "why_bad",
    "Known problems": "known_problems",
    "Example": "example",
    "Use instead": "use_instead",
    "Fix notes": "fix_notes",
}
_CODE_SECTIONS = ("example", "use_instead")
_INCLUDE = re.compile(r"^<!-- include: ([a-z_]+) -->$", re.M)
_COMMENT = re.compile(r"<!--.*?-->\n*", re.S)
_FENCE = re.compile(r"\A```python\n(.*)\n```\Z", re.S)


def parse_prose(text: str, include: Callable[[str], str]) -> Dict[str, str]:
    """The sections of a rule's Markdown source, by field name. ``## Heading`` lines from
    :data:`PROSE_SECTIONS` open a section; ``<!-- include: name -->`` lines are replaced
    by ``include(name)``; other HTML comments are dropped; code sections lose their fence."""
    text = _INCLUDE.sub(lambda match: include(match.group(1)), text)
    fields: Dict[str, str] = {}
    current: Optional[str] = None
    body: List[str] = []

    def close() -> None:
        if current is not None:
            fields[current] = _COMMENT.sub("", "\n".join(body)).strip("\n")

    for line in text.split("\n"):
        heading = line[3:].strip() if line.startswith("## ") else None
        if heading not in PROSE_SECTIONS:
            body.append(line)
            continue
        close()
        current, body = PROSE_SECTIONS[heading], []
        if current in fields:
            raise ValueError(f"section {heading!r} appears twice")
    close()
    for name in _CODE_SECTIONS:
        fenced = _FENCE.match(fields.get(name, ""))
        if fenced is None:
            raise ValueError(f"the {name} section must be one ```python block")
        fields[name] = fenced.group(1)
    return {name: fields.get(name, "") for name in PROSE_SECTIONS.values()}


@lru_cache(maxsize=None)
def _shared(name: str) -> str:
    return _COMMENT.sub("", (PROSE_DIR / f"_{name}.md").read_text(encoding="utf-8")).strip("\n")


@lru_cache(maxsize=None)
def prose(code: str) -> Dict[str, str]:
    """The prose fields of ``code``'s rule page, read from its Markdown source when first asked."""
    return parse_prose((PROSE_DIR / f"{code}.md").read_text(encoding="utf-8"), _shared)


class _Prose:
    """A prose field of a :class:`Rule`: read from the rule's Markdown source when first asked."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, rule: Optional["Rule"], owner: Optional[type] = None) -> str:
        if rule is None:
            return self  # type: ignore[return-value]
        return prose(rule.code)[self.name]


@dataclass(frozen=True)
class Rule:
    """One reportable code and everything said about it.

    The registry keeps the data (message, defaults, fix safety, options, references); the
    explanation of the rule page lives in ``prose/PKLnnn.md`` and is read only when asked for
    (by the docs generator, never on a flake8 run).
    """

    code: str
    name: str
    message: str
    family: str
    summary: str
    default_enabled: bool = True
    fix_safety: str = FIX_NONE
    status: str = PLANNED
    options: Tuple[str, ...] = ()
    references: Tuple[str, ...] = field(default_factory=tuple)

    def format(self, **values: object) -> str:
        """Return the flake8 message text: the code, then the filled template."""
        return f"{self.code} {self.message.format(**values)}"

    what_it_does = _Prose()
    why_bad = _Prose()
    known_problems = _Prose()
    example = _Prose()
    use_instead = _Prose()
    fix_notes = _Prose()


FAMILY_SECURITY = "untrusted data to a loader (security, CWE-502)"
FAMILY_RESOURCES = "copying or pickling resources (runtime crash)"
FAMILY_PROTOCOL = "class pickling protocol (runtime crash or data loss)"
FAMILY_INVENTORY = "inventory (off by default)"

_PICKLE_DOCS = "https://docs.python.org/3/library/pickle.html"
_CWE_502 = "https://cwe.mitre.org/data/definitions/502.html"
_COPY_DOCS = "https://docs.python.org/3/library/copy.html"
_COPYREG_DOCS = "https://docs.python.org/3/library/copyreg.html"
_PICKLE_INSTANCES = "https://docs.python.org/3/library/pickle.html#pickling-class-instances"
_PICKLE_WHAT = "https://docs.python.org/3/library/pickle.html#what-can-be-pickled-and-unpickled"
_PICKLE_STATEFUL = "https://docs.python.org/3/library/pickle.html#handling-stateful-objects"
_MP_GUIDELINES = "https://docs.python.org/3/library/multiprocessing.html#multiprocessing-programming"
_NVD = "https://nvd.nist.gov/vuln/detail/"



_RULES = (
    Rule(
        code="PKL101",
        name="untrusted-data-to-loader",
        message="untrusted data from {source} (line {source_line}){hops} reaches {loader}{chain}",
        family=FAMILY_SECURITY,
        summary="Untrusted data reaches a pickle-family loader",
        fix_safety=FIX_UNSAFE,
        status=IMPLEMENTED,
        options=(
            "pickle-untrusted-sources",
            "pickle-trusted-sources",
            "pickle-sanitizers",
            "pickle-extra-loaders",
        ),
        references=(
            _PICKLE_DOCS,
            _CWE_502,
            "https://pytorch.org/docs/stable/generated/torch.load.html",
            "https://numpy.org/doc/stable/reference/generated/numpy.load.html",
            "https://pyyaml.org/wiki/PyYAMLDocumentation",
            _NVD + "CVE-2024-2912",
            _NVD + "CVE-2024-50050",
            _NVD + "CVE-2025-32444",
            _NVD + "CVE-2019-6446",
            _NVD + "CVE-2025-32434",
        ),
    ),
    Rule(
        code="PKL102",
        name="loader-on-unknown-data",
        message="{loader} {subject} of unknown {aspect} ({argument})",
        family=FAMILY_SECURITY,
        summary="Pickle-family loader on data of unknown origin",
        status=IMPLEMENTED,
        fix_safety=FIX_UNSAFE,
        options=(
            "pickle-trusted-sources",
            "pickle-sanitizers",
            "pickle-extra-loaders",
        ),
        references=(
            _PICKLE_DOCS,
            _CWE_502,
            "https://docs.python.org/3/library/hmac.html",
            "https://pytorch.org/docs/stable/generated/torch.load.html",
            "https://numpy.org/doc/stable/reference/generated/numpy.load.html",
            "https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation",
            "https://joblib.readthedocs.io/en/stable/persistence.html",
            "https://pandas.pydata.org/docs/reference/api/pandas.read_pickle.html",
            _NVD + "CVE-2021-33026",
            _NVD + "CVE-2023-37941",
        ),
    ),
    Rule(
        code="PKL103",
        name="loader-on-unauthenticated-channel",
        message="{loader} unpickles what arrives on an unauthenticated channel ({channel})",
        family=FAMILY_SECURITY,
        summary="Loader on an unauthenticated network channel",
        status=IMPLEMENTED,
        references=(
            "https://docs.python.org/3/library/multiprocessing.html#multiprocessing-auth-keys",
            "https://docs.python.org/3/library/multiprocessing.html#module-multiprocessing.connection",
            "https://pyzmq.readthedocs.io/en/latest/api/zmq.html",
            "https://pytorch.org/docs/stable/distributed.html",
            _CWE_502,
            _NVD + "CVE-2024-50050",
            _NVD + "CVE-2025-30165",
            _NVD + "CVE-2025-32444",
        ),
    ),
    Rule(
        code="PKL104",
        name="permissive-find-class",
        message="Unpickler {cls}.find_class {problem}",
        family=FAMILY_SECURITY,
        summary="Restricted Unpickler whose find_class restricts nothing or admits code execution",
        status=IMPLEMENTED,
        references=(
            "https://docs.python.org/3/library/pickle.html#restricting-globals",
            "https://docs.python.org/3/library/pickle.html#pickle.Unpickler.find_class",
            _CWE_502,
        ),
    ),
    Rule(
        code="PKL201",
        name="deepcopy-of-resource",
        message="{operation} of {subject} that holds {resource}",
        family=FAMILY_RESOURCES,
        summary="Deep copy of an object that is or holds an OS-bound resource",
        status=IMPLEMENTED,
        options=("pickle-extra-resources",),
        references=(
            _COPY_DOCS,
            _COPYREG_DOCS,
            _PICKLE_WHAT,
            "https://docs.python.org/3/library/dataclasses.html#dataclasses.asdict",
            "https://scikit-learn.org/stable/modules/generated/sklearn.base.clone.html",
        ),
    ),
    Rule(
        code="PKL202",
        name="pickle-of-resource",
        message="{operation} of {subject} that holds {resource}",
        family=FAMILY_RESOURCES,
        summary="Pickle-family dump of an object that is or holds a resource",
        status=IMPLEMENTED,
        options=("pickle-extra-resources",),
        references=(
            _PICKLE_WHAT,
            _PICKLE_STATEFUL,
            "https://docs.python.org/3/library/shelve.html",
            "https://pytorch.org/docs/stable/notes/serialization.html",
        ),
    ),
    Rule(
        code="PKL203",
        name="resource-sent-to-process",
        message="{operation} sends {subject} that holds {resource} to another process",
        family=FAMILY_RESOURCES,
        summary="Resource-holding object sent to another process",
        status=IMPLEMENTED,
        options=("pickle-extra-resources",),
        references=(
            _MP_GUIDELINES,
            "https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods",
            "https://docs.python.org/3/library/concurrent.futures.html#processpoolexecutor",
            _PICKLE_WHAT,
        ),
    ),
    Rule(
        code="PKL204",
        name="unpicklable-callable-pickled",
        message="{operation} of {subject}, which pickle cannot serialize",
        family=FAMILY_RESOURCES,
        summary="Lambda, local function, local class or generator pickled or sent to another process",
        status=IMPLEMENTED,
        references=(
            _PICKLE_WHAT,
            _MP_GUIDELINES,
            "https://github.com/cloudpipe/cloudpickle",
        ),
    ),
    Rule(
        code="PKL301",
        name="resource-class-without-protocol",
        message="class {cls} holds {resource} and defines no {protocol}",
        family=FAMILY_PROTOCOL,
        summary="Class holds a resource and defines no pickling protocol, and is copied or pickled",
        status=IMPLEMENTED,
        fix_safety=FIX_MIXED,
        options=("pickle-extra-resources",),
        references=(
            _PICKLE_INSTANCES,
            _PICKLE_STATEFUL,
            "https://docs.python.org/3/library/pickle.html#object.__getstate__",
            _COPY_DOCS,
        ),
    ),
    Rule(
        code="PKL302",
        name="exception-not-rebuildable",
        message="exception {cls} cannot be rebuilt from self.args: {problem}",
        family=FAMILY_PROTOCOL,
        summary="Exception subclass whose __init__ cannot be re-called with self.args",
        status=IMPLEMENTED,
        fix_safety=FIX_SAFE,
        references=(
            "https://docs.python.org/3/library/exceptions.html#BaseException.args",
            "https://docs.python.org/3/library/pickle.html#object.__reduce__",
            "https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.process.BrokenProcessPool",
        ),
    ),
    Rule(
        code="PKL303",
        name="getstate-mutates-object",
        message="{cls}.__getstate__ mutates the live object through {target}",
        family=FAMILY_PROTOCOL,
        summary="__getstate__ mutates the live object's __dict__",
        status=IMPLEMENTED,
        fix_safety=FIX_SAFE,
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__getstate__",
            _PICKLE_STATEFUL,
        ),
    ),
    Rule(
        code="PKL304",
        name="getstate-keeps-resource",
        message="{cls}.__getstate__ returns state that still holds {resource}",
        family=FAMILY_PROTOCOL,
        summary="__getstate__ returns state that still contains a resource",
        status=IMPLEMENTED,
        fix_safety=FIX_MIXED,
        options=("pickle-extra-resources",),
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__getstate__",
            _PICKLE_STATEFUL,
        ),
    ),
    Rule(
        code="PKL305",
        name="setstate-misses-attribute",
        message="{cls}.__setstate__ does not restore {attribute}, dropped by __getstate__",
        family=FAMILY_PROTOCOL,
        summary="__setstate__ does not restore an attribute __getstate__ dropped",
        status=IMPLEMENTED,
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__setstate__",
            _PICKLE_STATEFUL,
        ),
    ),
    Rule(
        code="PKL306",
        name="malformed-protocol-method",
        message="{cls}.{method} {problem}",
        family=FAMILY_PROTOCOL,
        summary="__reduce__/__reduce_ex__/__deepcopy__/__getnewargs__ with the wrong shape",
        status=IMPLEMENTED,
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__reduce__",
            "https://docs.python.org/3/library/pickle.html#object.__getnewargs__",
            _COPY_DOCS,
        ),
    ),
    Rule(
        code="PKL307",
        name="reduce-returns-code-execution",
        message="{cls}.{method} returns code-execution callable {callable}",
        family=FAMILY_PROTOCOL,
        summary="__reduce__ returns a code-execution callable (a pickle payload gadget)",
        status=IMPLEMENTED,
        references=(
            "https://docs.python.org/3/library/pickle.html#object.__reduce__",
            _PICKLE_DOCS,
            _CWE_502,
        ),
    ),
    Rule(
        code="PKL308",
        name="getattr-raises-non-attributeerror",
        message="{cls}.__getattr__ {problem}",
        family=FAMILY_PROTOCOL,
        summary="__getattr__ can raise something other than AttributeError",
        status=IMPLEMENTED,
        fix_safety=FIX_SAFE,
        references=(
            "https://docs.python.org/3/reference/datamodel.html#object.__getattr__",
            _COPY_DOCS,
            _PICKLE_INSTANCES,
        ),
    ),
    Rule(
        code="PKL901",
        name="loader-inventory",
        message="{loader} call (pickle-family loader inventory)",
        family=FAMILY_INVENTORY,
        summary="Every pickle-family loader call, whatever its provenance",
        default_enabled=False,
        status=IMPLEMENTED,
        options=("pickle-extra-loaders",),
        references=(
            _PICKLE_DOCS,
            _CWE_502,
            "https://bandit.readthedocs.io/en/latest/blacklists/blacklist_calls.html",
        ),
    ),
    Rule(
        code="PKL902",
        name="resource-class-inventory",
        message="class {cls} holds {resource} and defines no pickling protocol",
        family=FAMILY_INVENTORY,
        summary="Every resource-holding class without a pickling protocol, used or not",
        status=IMPLEMENTED,
        default_enabled=False,
        options=("pickle-extra-resources",),
        references=(
            _PICKLE_INSTANCES,
            _PICKLE_STATEFUL,
            _COPY_DOCS,
        ),
    ),
)

RULES: Dict[str, Rule] = {rule.code: rule for rule in _RULES}

#: Codes flake8 leaves off unless the user selects them (``extend_default_ignore``).
OFF_BY_DEFAULT: Tuple[str, ...] = tuple(r.code for r in _RULES if not r.default_enabled)


#: Where each code's page (``docs/rules/PKLnnn.md``) is published.
RULE_PAGES = "https://github.com/flake8-pickle/flake8-pickle/blob/main/docs/rules/"


def page_url(code: str) -> str:
    """The address of ``code``'s documentation page (the SARIF ``helpUri``)."""
    return f"{RULE_PAGES}{code}.md"


def message(code: str, **values: object) -> str:
    """Format the message of ``code`` with ``values``."""
    return RULES[code].format(**values)


def unknown_codes(option: str, codes: Iterable[str]) -> List[str]:
    """A warning for each code or prefix given to ``option`` that names no code of the registry
    (the plugin passes only the ones that start with ``PKL``; the fixer passes all)."""
    return [
        f"flake8-pickle: warning: {option} {code} matches no flake8-pickle code"
        for code in codes
        if code and not any(known.startswith(code) for known in RULES)
    ]
