"""The registry is the single source of truth: codes, messages, docs, README, CHANGELOG, fixtures."""

from __future__ import annotations

import ast
import re
import string
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set

import pytest

from flake8_pickle import docs
from flake8_pickle.catalog.loaders import is_qualified_name
from flake8_pickle.rules import (
    _RULES,
    FAMILY_INVENTORY,
    FIX_MIXED,
    FIX_NONE,
    FIX_SAFE,
    FIX_UNSAFE,
    IMPLEMENTED,
    OFF_BY_DEFAULT,
    PLANNED,
    PROSE_DIR,
    PROSE_SECTIONS,
    RULES,
    Rule,
    message,
    parse_prose,
)
from flake8_pickle.settings import OPTIONS

try:
    from annotations import AnnotationError, parse_expectation_source, parse_expectations
except ImportError:  # run with the repository root, not tests/, on sys.path
    from tests.annotations import AnnotationError, parse_expectation_source, parse_expectations

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
PACKAGE = REPO_ROOT / "flake8_pickle"

CODE = re.compile(r"^PKL[0-9]{3}$")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
PAGE_HEADINGS = (
    "What it does",
    "Why is this bad?",
    "Known problems",
    "Example",
    "Use instead",
    "Options",
    "Fix safety",
    "References",
)

by_code = pytest.mark.parametrize("rule", _RULES, ids=[rule.code for rule in _RULES])


def template_fields(template: str) -> Set[str]:
    """The names of the ``{field}`` placeholders of a message template."""
    names = set()
    for _, field_name, _, _ in string.Formatter().parse(template):
        if field_name is not None:
            names.add(re.split(r"[.\[]", field_name, maxsplit=1)[0])
    return names


# --- the registry itself -------------------------------------------------------------


def test_codes_are_unique_and_in_order():
    codes = [rule.code for rule in _RULES]
    assert len(codes) == len(set(codes)) == len(RULES)
    assert codes == sorted(codes)


@by_code
def test_code_format(rule: Rule):
    assert CODE.match(rule.code), rule.code


def test_names_are_unique_kebab_case():
    names = [rule.name for rule in _RULES]
    assert len(names) == len(set(names))
    for name in names:
        assert KEBAB.match(name), name


@by_code
def test_message_renders_without_placeholders(rule: Rule):
    fields = template_fields(rule.message)
    rendered = rule.format(**{name: f"<{name}>" for name in fields})
    assert rendered.startswith(rule.code + " ")
    assert "{" not in rendered and "}" not in rendered
    short = {name: "x" for name in fields}
    assert message(rule.code, **short) == rule.format(**short)
    # The message names what was found; with short values it must stay well under ~100 chars.
    assert len(rule.format(**short)) <= 90, rendered


@by_code
def test_prose_is_filled(rule: Rule):
    for attribute in ("summary", "what_it_does", "why_bad", "example", "use_instead"):
        assert getattr(rule, attribute).strip(), f"{rule.code}.{attribute} is empty"
    assert rule.references, f"{rule.code} has no references"


@by_code
def test_examples_parse(rule: Rule):
    ast.parse(rule.example, filename=f"{rule.code}.example")
    ast.parse(rule.use_instead, filename=f"{rule.code}.use_instead")
    assert rule.example.strip() != rule.use_instead.strip()


@by_code
def test_references_are_urls(rule: Rule):
    assert len(set(rule.references)) == len(rule.references)
    for url in rule.references:
        assert re.match(r"^https://[^\s<>]+$", url), url
    if rule.code.startswith("PKL1"):
        assert "https://cwe.mitre.org/data/definitions/502.html" in rule.references


@by_code
def test_status_and_fix_safety(rule: Rule):
    assert rule.status in (IMPLEMENTED, PLANNED)
    assert rule.fix_safety in (FIX_NONE, FIX_SAFE, FIX_UNSAFE, FIX_MIXED)
    # A fix is described exactly when there is one.
    assert bool(rule.fix_notes.strip()) == (rule.fix_safety != FIX_NONE), rule.code


@by_code
def test_options_are_declared(rule: Rule):
    for option in rule.options:
        assert option in OPTIONS, f"{rule.code}: --{option} is not a plugin option"


def test_every_option_has_a_valid_documented_example():
    assert set(docs.OPTION_EXAMPLES) == set(OPTIONS)
    for option, value in docs.OPTION_EXAMPLES.items():
        for name in value.split(","):
            assert is_qualified_name(name.strip()), (option, name)


def test_off_by_default_is_the_inventory():
    assert OFF_BY_DEFAULT == tuple(rule.code for rule in _RULES if not rule.default_enabled)
    for rule in _RULES:
        assert (rule.family == FAMILY_INVENTORY) == (not rule.default_enabled), rule.code


# --- generated documentation ---------------------------------------------------------


@by_code
def test_rule_page_layout(rule: Rule):
    page = docs.render_rule_page(rule)
    lines = page.splitlines()
    assert lines[0] == f"# {rule.code}: {rule.name}"
    headings = [line[3:] for line in lines if line.startswith("## ")]
    expected = [h for h in PAGE_HEADINGS if h != "Known problems" or rule.known_problems.strip()]
    assert headings == expected
    assert ("**Planned**: registered, reports nothing yet" in page) == (rule.status == PLANNED)
    if not rule.options:
        assert "## Options\n\nNone.\n" in page
    for option in rule.options:
        assert f"`--{option}`" in page
        assert f"[flake8]\n  {option} = " in page


def test_rules_table_lists_every_rule():
    table = docs.render_rules_table()
    rows = [line for line in table.splitlines() if line.startswith("| [PKL")]
    assert len(rows) == len(_RULES)
    for rule, row in zip(_RULES, rows):
        assert row.startswith(f"| [{rule.code}](docs/rules/{rule.code}.md) |")
        assert f"| {'on' if rule.default_enabled else 'off'} |" in row
        assert row.endswith(f"| {rule.status} |")


def test_docs_in_sync_with_registry():
    """Regenerate with ``python -m flake8_pickle.docs`` when this fails."""
    assert docs.check_all(REPO_ROOT) == []


def test_write_then_check_round_trip(tmp_path: Path):
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Title\n\nIntro.\n\n{docs.TABLE_START}\nold\n{docs.TABLE_END}\n\nOutro.\n", encoding="utf-8"
    )
    stale = tmp_path / "docs" / "rules" / "PKL999.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("# PKL999: retired\n", encoding="utf-8")
    other = stale.parent / "index.md"
    other.write_text("not a rule page\n", encoding="utf-8")

    assert any("PKL999.md has no registry entry" in p for p in docs.check_all(tmp_path))
    done = docs.write_all(tmp_path)
    assert "removed stale docs/rules/PKL999.md" in done
    assert not stale.exists() and other.exists()
    assert docs.check_all(tmp_path) == []
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nIntro.\n\n" + docs.TABLE_START + "\n| Code |")
    assert text.endswith(docs.TABLE_END + "\n\nOutro.\n")
    assert docs.write_all(tmp_path) == []  # idempotent: nothing rewritten

    page = tmp_path / "docs" / "rules" / "PKL101.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert docs.check_all(tmp_path) == ["docs/rules/PKL101.md differs from the registry"]


def test_readme_without_markers_is_reported_and_left_alone(tmp_path: Path):
    readme = tmp_path / "README.md"
    readme.write_text("# No table here\n", encoding="utf-8")
    done = docs.write_all(tmp_path)
    assert any(line.startswith("skipped README table") for line in done)
    assert readme.read_text(encoding="utf-8") == "# No table here\n"
    expected = (
        f"README code table not checked: README.md lacks one '{docs.TABLE_START}' line "
        f"followed by one '{docs.TABLE_END}' line"
    )
    assert docs.check_all(tmp_path) == [expected]


def test_docs_cli_check_exit_status(tmp_path: Path):
    command = [sys.executable, "-m", "flake8_pickle.docs", "--root", str(tmp_path)]
    failing = subprocess.run([*command, "--check"], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert failing.returncode == 1
    assert "docs/rules/PKL101.md is missing" in failing.stdout
    (tmp_path / "README.md").write_text(f"{docs.TABLE_START}\n{docs.TABLE_END}\n", encoding="utf-8")
    subprocess.run(command, cwd=REPO_ROOT, check=True, capture_output=True)
    passing = subprocess.run([*command, "--check"], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert passing.returncode == 0, passing.stdout


def test_docs_module_stays_off_the_flake8_path():
    """Only the doc tool itself may import flake8_pickle.docs."""
    for path in PACKAGE.rglob("*.py"):
        if path.name == "docs.py" and path.parent == PACKAGE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                imported = {f"{module}.{alias.name}" for alias in node.names} | {module}
            elif isinstance(node, ast.Import):
                imported = {alias.name for alias in node.names}
            else:
                continue
            assert not any("docs" in name.split(".") for name in imported), path
    probe = "import sys, flake8_pickle.plugin; sys.exit('flake8_pickle.docs' in sys.modules)"
    subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, check=True)


@pytest.mark.parametrize("rule", [r for r in _RULES if r.status == IMPLEMENTED], ids=lambda r: r.code)
def test_a_rule_page_example_is_reported_and_its_fix_is_not(rule: Rule):
    """The page's example gets its own code; the "Use instead" code gets nothing at all."""
    from flake8_pickle.analysis import analyze

    found = {f.code for f in analyze(ast.parse(rule.example), source=rule.example)}
    assert rule.code in found, (rule.code, found)
    fixed = [f for f in analyze(ast.parse(rule.use_instead), source=rule.use_instead) if f.code not in OFF_BY_DEFAULT]
    assert fixed == [], (rule.code, fixed)


def test_prose_files_match_the_registry():
    """One Markdown source per code, none without a code, and every shared passage used."""
    pages = {path.stem for path in PROSE_DIR.glob("PKL*.md")}
    assert pages == set(RULES)
    included = set()
    for code in RULES:
        text = (PROSE_DIR / f"{code}.md").read_text(encoding="utf-8")
        included |= set(re.findall(r"<!-- include: ([a-z_]+) -->", text))
        # A mistyped heading would silently become part of the previous section.
        headings = re.findall(r"^## (.*)$", text, re.M)
        assert headings and set(headings) <= set(PROSE_SECTIONS), (code, headings)
    assert {path.stem[1:] for path in PROSE_DIR.glob("_*.md")} == included


def test_prose_parsing():
    text = (
        "<!-- header -->\n\n## What it does\n\nFinds X.\n\n<!-- include: shared -->\n\n"
        "## Why is this bad?\n\nIt crashes.\n\n## Example\n\n```python\nx = 1\n```\n\n"
        "## Use instead\n\n```python\nx = 2\n```\n"
    )
    fields = parse_prose(text, lambda name: f"Shared {name}.")
    assert fields["what_it_does"] == "Finds X.\n\nShared shared."
    assert fields["why_bad"] == "It crashes."
    assert (fields["example"], fields["use_instead"]) == ("x = 1", "x = 2")
    assert fields["known_problems"] == fields["fix_notes"] == ""
    with pytest.raises(ValueError, match="python block"):
        parse_prose(text.replace("```python\nx = 2\n```", "x = 2"), str)
    with pytest.raises(ValueError, match="twice"):
        parse_prose(text + "\n## Why is this bad?\n\nAgain.\n", str)


def test_a_flake8_run_reads_no_prose():
    """The prose is for the docs generator: the plugin never opens it."""
    probe = (
        "import sys, ast, flake8_pickle.rules as r, flake8_pickle.plugin as p\n"
        "list(p.PicklePlugin(ast.parse('import pickle\\npickle.loads(x)'), 'x.py', []).run())\n"
        "sys.exit(r.prose.cache_info().currsize)"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, check=True)


# --- CHANGELOG and fixtures ----------------------------------------------------------


def test_changelog_mentions_every_code():
    changelog = REPO_ROOT / "CHANGELOG.md"
    assert changelog.is_file(), "CHANGELOG.md is missing"
    text = changelog.read_text(encoding="utf-8")
    missing = [code for code in RULES if not re.search(rf"\b{code}\b", text)]
    assert missing == []


def annotated_codes() -> Dict[str, Set[str]]:
    """Code -> fixture files (relative paths) that annotate it."""
    codes: Dict[str, Set[str]] = {}
    for path in sorted(FIXTURES.rglob("*.py")):
        for entries in parse_expectations(path).values():
            for code, *_ in entries:
                codes.setdefault(code, set()).add(path.relative_to(REPO_ROOT).as_posix())
    return codes


def test_fixtures_cover_implemented_rules_only():
    codes = annotated_codes()
    implemented = {rule.code for rule in _RULES if rule.status == IMPLEMENTED}
    planned = {rule.code for rule in _RULES if rule.status == PLANNED}
    assert sorted(implemented - set(codes)) == [], "implemented codes without a fixture annotation"
    assert {code: sorted(codes[code]) for code in planned & set(codes)} == {}, "planned codes annotated"
    unknown = {code for code in codes if code.startswith("PKL") and code not in RULES}
    assert unknown == set(), "annotations name codes the registry does not have"


# --- the annotation parser -----------------------------------------------------------


def test_parse_single_and_multiple_codes():
    source = (
        "import pickle\n"
        "pickle.loads(x)  # expect: PKL102\n"
        "pickle.loads(y)  # expect: PKL102, PKL901\n"
        "z = 1  # an ordinary comment\n"
    )
    assert parse_expectation_source(source) == {
        2: [("PKL102", None, None)],
        3: [("PKL102", None, None), ("PKL901", None, None)],
    }


def test_parse_message_substrings():
    source = (
        'a = f(b)  # expect: PKL101 "request.cookies", PKL901\n'
        "c = f(d)  # expect: PKL201 'threading.Lock, held in', PKL202 \"say \\\"hi\\\"\"\n"
        "e = f(g)  #expect:PKL103  # the remark after a second hash is free-form\n"
    )
    assert parse_expectation_source(source) == {
        1: [("PKL101", "request.cookies", None), ("PKL901", None, None)],
        2: [("PKL201", "threading.Lock, held in", None), ("PKL202", 'say "hi"', None)],
        3: [("PKL103", None, None)],
    }


def test_expect_inside_a_string_is_not_an_annotation():
    source = (
        'text = "# expect: PKL101"\n'
        "doc = '''\n"
        "# expect: PKL102\n"
        "'''\n"
        "x = 1  # noqa: E501  # expect: PKL901\n"
    )
    assert parse_expectation_source(source) == {5: [("PKL901", None, None)]}


def test_comment_on_a_continuation_line_and_no_annotations():
    source = "f(\n    a,  # expect: PKL204\n)\n"
    assert parse_expectation_source(source) == {2: [("PKL204", None, None)]}
    assert parse_expectation_source("x = 1\n") == {}


@pytest.mark.parametrize(
    "comment",
    [
        "# expect:",
        "# expect: pkl101",
        "# expect: PKL101 PKL102",
        "# expect: PKL101,",
        '# expect: PKL101 "unterminated',
        "# expect: PKL1011",
        "# expect: PKL101@",
        "# expect: PKL101@x",
        "# expect: PKL101 @5",
    ],
)
def test_malformed_annotations_raise(comment: str):
    with pytest.raises(AnnotationError, match=r"<string>:1"):
        parse_expectation_source(f"x = 1  {comment}\n")


def test_parse_expectations_reads_files_with_their_encoding(tmp_path: Path):
    fixture = tmp_path / "latin.py"
    fixture.write_bytes(
        b"# -*- coding: latin-1 -*-\n"
        b"name = '\xe9'  # expect: PKL102 \"\xe9\"\n"
    )
    assert parse_expectations(fixture) == {2: [("PKL102", "\u00e9", None)]}
    assert parse_expectations(str(fixture)) == {2: [("PKL102", "\u00e9", None)]}


def test_parse_columns():
    source = 'pickle.loads(x)  # expect: PKL102@1 "pickle", PKL901@1\nf(y)  # expect: PKL201@12\n'
    assert parse_expectation_source(source) == {
        1: [("PKL102", "pickle", 1), ("PKL901", None, 1)],
        2: [("PKL201", None, 12)],
    }
