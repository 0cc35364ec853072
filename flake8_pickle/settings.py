"""The user's ``--pickle-*`` options, validated once and shared by the plugin and the fixer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Tuple

from .catalog.loaders import is_qualified_name

#: Option name (without the leading dashes) -> help text. The README documents each.
OPTIONS = {
    "pickle-untrusted-sources": "Extra qualified names whose values (or call results) are untrusted input.",
    "pickle-trusted-sources": "Qualified names whose values (or call results) are trusted, in-process data.",
    "pickle-sanitizers": "Qualified names of calls that verify or authenticate data (their result is trusted).",
    "pickle-extra-loaders": "Extra qualified names of pickle-family loaders, e.g. mylib.serial.load_blob.",
    "pickle-extra-resources": "Extra qualified names of constructors of unpicklable resources, e.g. mylib.Pool.",
}


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

    @classmethod
    def from_values(cls, **values: Iterable[str]) -> "Settings":
        """Build from raw option values keyed by field name (``extra_loaders=[...]``)."""
        parsed = {}
        for field_name, raw in values.items():
            option = "pickle-" + field_name.replace("_", "-")
            if option not in OPTIONS:
                raise OptionError(f"unknown option --{option}")
            if isinstance(raw, str):
                raw = raw.split(",")
            parsed[field_name] = parse_qualified_names(option, raw or ())
        return cls(**parsed)
