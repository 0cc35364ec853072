"""SARIF 2.1.0 for ``flake8-pickle check --format sarif``: rules from the registry, results with
``codeFlows`` (PKL101, PKL103), ``relatedLocations`` (the other codes' related places) and
``partialFingerprints``. ``tests/test_check.py`` validates it against the official schema."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import quote

from . import __version__
from .check import CheckRun, Result, step_path
from .findings import Step
from .rules import RULES, Rule, page_url

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/flake8-pickle/flake8-pickle"
ROOT_ID = "%SRCROOT%"
#: The key of our fingerprint in ``partialFingerprints`` (versioned: a new scheme gets a new key).
FINGERPRINT_KEY = "flake8PickleFinding/v1"

#: How code-scanning UIs rank each code (the CVSS-like 0-10 scale GitHub reads from
#: ``security-severity``): proven remote code execution first, then an unauthenticated channel,
#: a find_class that admits code execution, unknown origin; crashes and inventories last.
SECURITY_SEVERITY: Dict[str, str] = {
    "PKL101": "9.8",
    "PKL103": "8.1",
    "PKL104": "7.5",
    "PKL102": "5.3",
    "PKL901": "1.0",
}
#: The severity of the reliability codes (PKL2xx, PKL3xx) and of the resource inventory.
RELIABILITY_SEVERITY = "2.0"
INVENTORY_SEVERITY = "1.0"
_LEVELS = {"PKL101": "error", "PKL103": "error", "PKL104": "error", "PKL102": "warning"}
#: The codes whose steps are a data flow (a ``codeFlow``); the others' steps are related places.
FLOW_CODES = frozenset({"PKL101", "PKL103"})
#: flake8's own codes ``check`` reports: a file it could not read or parse was not checked.
_FLAKE8_RULES = {
    "E902": ("io-or-tokenize-error", "flake8 could not read or tokenize the file: it was not checked"),
    "E999": ("syntax-error", "flake8 could not parse the file: it was not checked"),
}


def level(code: str) -> str:
    """The SARIF level of a code: ``error`` for proven or channel exposure, ``note`` for inventories."""
    if code.startswith("PKL9"):
        return "note"
    return _LEVELS.get(code, "error" if code in _FLAKE8_RULES else "warning")


def _severity(rule: Rule) -> str:
    if rule.code in SECURITY_SEVERITY:
        return SECURITY_SEVERITY[rule.code]
    return INVENTORY_SEVERITY if rule.code.startswith("PKL9") else RELIABILITY_SEVERITY


def _tags(code: str) -> List[str]:
    if code.startswith("PKL1") or code == "PKL901":
        return ["security", "external/cwe/cwe-502"]
    return ["reliability"]


def _plain(text: str) -> str:
    return " ".join(text.split())


def _help_markdown(rule: Rule) -> str:
    """The rule's prose as the ``help`` a code-scanning UI shows beside an alert (the full page,
    with options and references, is at ``helpUri``)."""
    parts = [f"## Why is this bad?\n\n{rule.why_bad}"]
    if rule.known_problems:
        parts.append(f"## Known problems\n\n{rule.known_problems}")
    parts.append(f"## Example\n\n```python\n{rule.example}\n```")
    parts.append(f"## Use instead\n\n```python\n{rule.use_instead}\n```")
    parts.append(f"[The rule's page]({page_url(rule.code)})")
    return "\n\n".join(parts)


def rule_descriptor(rule: Rule) -> Dict[str, object]:
    """A registry rule as a SARIF ``reportingDescriptor``."""
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _plain(rule.what_it_does), "markdown": rule.what_it_does},
        "help": {"text": _plain(rule.why_bad), "markdown": _help_markdown(rule)},
        "helpUri": page_url(rule.code),
        "defaultConfiguration": {"level": level(rule.code), "enabled": rule.default_enabled},
        "properties": {
            "tags": _tags(rule.code),
            "security-severity": _severity(rule),
            "precision": "high" if rule.code != "PKL102" else "medium",
        },
    }


def _flake8_descriptor(code: str) -> Dict[str, object]:
    name, text = _FLAKE8_RULES.get(code, ("flake8", "reported by flake8"))
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": text},
        "helpUri": "https://flake8.pycqa.org/en/latest/user/error-codes.html",
        "defaultConfiguration": {"level": level(code)},
    }


def _uri(path: str, root: Path) -> Dict[str, str]:
    """An ``artifactLocation``: relative to the run root when inside it, else an absolute URI."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": ROOT_ID}


def _location(path: str, line: int, root: Path, column: Optional[int] = None, text: str = "") -> Dict[str, object]:
    region: Dict[str, int] = {"startLine": max(line, 1)}
    if column is not None:
        region["startColumn"] = max(column, 1)
    location: Dict[str, object] = {"physicalLocation": {"artifactLocation": _uri(path, root), "region": region}}
    if text:
        location["message"] = {"text": text}
    return location


def _step_location(run: CheckRun, result: Result, step: Step, root: Path) -> Dict[str, object]:
    return _location(step_path(run, result, step), step.line, root, text=step.message)


def result_object(run: CheckRun, result: Result, rule_index: Dict[str, int], root: Path) -> Dict[str, object]:
    """One finding as a SARIF ``result``."""
    out: Dict[str, object] = {
        "ruleId": result.code,
        "ruleIndex": rule_index[result.code],
        "level": level(result.code),
        "message": {"text": f"{result.code} {result.text}"},
        "locations": [_location(result.path, result.line, root, result.unicode_column)],
        "partialFingerprints": {FINGERPRINT_KEY: result.fingerprint},
    }
    if result.steps and result.code in FLOW_CODES:
        locations = [{"location": _step_location(run, result, step, root)} for step in result.steps]
        out["codeFlows"] = [{"threadFlows": [{"locations": locations}]}]
    elif result.steps:
        out["relatedLocations"] = [
            dict(_step_location(run, result, step, root), id=number)
            for number, step in enumerate(result.steps, start=1)
        ]
    return out


def render_sarif(run: CheckRun, root: Optional[Path] = None) -> str:
    """The run as a SARIF 2.1.0 log; paths are relative to ``root`` (the working directory)."""
    root = Path(os.path.abspath(root or Path.cwd()))
    descriptors = [rule_descriptor(rule) for rule in RULES.values()]
    for code in sorted({r.code for r in run.results} - set(RULES)):
        descriptors.append(_flake8_descriptor(code))
    rule_index = {str(d["id"]): number for number, d in enumerate(descriptors)}
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flake8-pickle",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {ROOT_ID: {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [result_object(run, r, rule_index, root) for r in run.results],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
