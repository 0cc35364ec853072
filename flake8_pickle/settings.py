"""The user's ``--pickle-*`` options, validated once and shared by the plugin and the fixer."""

from __future__ import annotations

import keyword
import os
from dataclasses import dataclass
from typing import Dict, Iterable, Tuple

from .catalog.loaders import is_qualified_name

#: Option name (without the leading dashes) -> help text. The README documents each.
OPTIONS = {
    "pickle-untrusted-sources": "Extra qualified names whose values (or call results) are untrusted input.",
    "pickle-trusted-sources": "Qualified names whose values (or call results) are trusted, in-process data.",
    "pickle-sanitizers": "Qualified names of calls that verify or authenticate data (their result is trusted).",
    "pickle-extra-loaders": "Extra qualified names of pickle-family loaders, e.g. mylib.serial.load_blob.",
    "pickle-extra-resources": "Extra qualified names of constructors of unpicklable resources, e.g. mylib.Pool.",
}

#: Options whose names are called (a loader, a sanitizer, a resource constructor): ``f()`` there names
#: what calling ``f`` returns, which is not what the option matches, so it is rejected.
CALLED_OPTIONS = frozenset({"pickle-extra-loaders", "pickle-sanitizers", "pickle-extra-resources"})

#: Options that take one path each (not names). The README documents each.
PROJECT_OPTIONS = {
    "pickle-project-root": (
        "The project root for the cross-module index (default: the nearest directory above the "
        "linted file holding pyproject.toml, setup.cfg, setup.py, tox.ini, .flake8 or .git); "
        "'off' analyses each file alone."
    ),
    "pickle-cache-dir": "Where the project index is cached (default: .flake8_pickle_cache in the project root).",
}
#: The value of ``--pickle-project-root`` that turns the project index off.
PROJECT_OFF = "off"


class OptionError(ValueError):
    """A malformed option value; the message names the option and the value."""


def parse_qualified_names(option: str, values: Iterable[str]) -> Tuple[str, ...]:
    """Validate the comma-separated values of ``--<option>``; raise OptionError on a bad one."""
    names = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        if not is_qualified_name(value):
            raise OptionError(
                f"--{option}: {value!r} is not a qualified name "
                "(expected dotted identifiers such as 'package.module.function' or 'package.Class().method')"
            )
        reserved = next((part for part in value.replace("()", "").split(".") if keyword.iskeyword(part)), None)
        if reserved is not None:
            raise OptionError(f"--{option}: {value!r} is not a qualified name ({reserved!r} is a Python keyword)")
        if value.endswith("()") and option in CALLED_OPTIONS:
            raise OptionError(
                f"--{option}: {value!r} names a call's result, which is never called itself; "
                f"name the function: {value[:-2]!r}"
            )
        names.append(value)
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Settings:
    """Validated option values (tuples of qualified names)."""

    untrusted_sources: Tuple[str, ...] = ()
    trusted_sources: Tuple[str, ...] = ()
    sanitizers: Tuple[str, ...] = ()
    extra_loaders: Tuple[str, ...] = ()
    extra_resources: Tuple[str, ...] = ()
    #: Off-by-default codes the user asked for explicitly (the plugin decides, see plugin.py).
    inventory_codes: Tuple[str, ...] = ()
    #: ``--pickle-project-root``: "" to detect the root, :data:`PROJECT_OFF`, or a directory.
    project_root: str = ""
    #: ``--pickle-cache-dir``: "" for the default, or a directory.
    cache_dir: str = ""

    @classmethod
    def from_values(cls, **values: Iterable[str]) -> "Settings":
        """Build from raw option values keyed by field name (``extra_loaders=[...]``)."""
        parsed: Dict[str, object] = {}
        for field_name, raw in values.items():
            option = "pickle-" + field_name.replace("_", "-")
            if option in PROJECT_OPTIONS:
                parsed[field_name] = parse_path(option, raw)
                continue
            if option not in OPTIONS:
                raise OptionError(f"unknown option --{option}")
            if isinstance(raw, str):
                raw = raw.split(",")
            parsed[field_name] = parse_qualified_names(option, raw or ())
        return cls(**parsed)  # type: ignore[arg-type]


def parse_path(option: str, raw: object) -> str:
    """Validate the value of a path option; raise OptionError on a bad one."""
    if isinstance(raw, (list, tuple)):
        values = [str(v).strip() for v in raw if str(v).strip()]
        if len(values) > 1:
            raise OptionError(f"--{option}: expected one path, got {len(values)}: {', '.join(values)}")
        raw = values[0] if values else ""
    value = str(raw or "").strip()
    if not value:
        return ""
    if option == "pickle-project-root":
        if value == PROJECT_OFF:
            return value
        if not os.path.isdir(value):
            raise OptionError(f"--{option}: {value!r} is not a directory (give the project root, or 'off')")
    elif os.path.exists(value) and not os.path.isdir(value):
        raise OptionError(f"--{option}: {value!r} exists and is not a directory")
    return os.path.abspath(value)
