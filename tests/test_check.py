"""``flake8-pickle check``: the installed command, run on the trees under ``tests/check/`` (copied to a
temporary directory), compared with flake8 itself; SARIF validated against the official schema."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import jsonschema
import pytest

from cli_runner import run_cli
from flake8_pickle.rules import RULES, page_url

TESTS = Path(__file__).parent
TREES = TESTS / "check"
REPO = TESTS.parent
SCHEMA = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent
CHECK = str(BIN / "flake8-pickle") if (BIN / "flake8-pickle").exists() else shutil.which("flake8-pickle") or "flake8-pickle"
FLAKE8 = str(BIN / "flake8") if (BIN / "flake8").exists() else shutil.which("flake8") or "flake8"


def tree(name: str, tmp_path: Path) -> Path:
    """A copy of the fixture tree ``name`` (the command writes its project index cache there)."""
    target = tmp_path / name
    shutil.copytree(TREES / name, target)
    return target


def check(args: List[str], cwd: Path, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    """``flake8-pickle check ARGS`` in ``cwd``, in this process (flake8 itself runs as a subprocess)."""
    return run_cli(["check", *args], cwd, stdin, text=True)


def flake8(args: List[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([FLAKE8, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def findings_of_json(stdout: str) -> List[str]:
    return [f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message']}" for f in json.loads(stdout)["findings"]]


def pkl_lines(stdout: str) -> List[str]:
    """flake8's default output lines that report a PKL code."""
    return sorted(line for line in stdout.splitlines() if line.split(": ", 1)[-1].startswith("PKL"))


def sarif(args: List[str], cwd: Path) -> Tuple[dict, subprocess.CompletedProcess]:
    proc = check(["--format", "sarif", *args], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    log = json.loads(proc.stdout)
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)
    return log, proc


def region_of(location: dict) -> Tuple[str, int]:
    physical = location["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]


# --------------------------------------------------------------------------- same findings as flake8

#: Each configuration changes something the tree reports (asserted below, so none is a no-op).
CONFIGS: Dict[str, str] = {
    ".flake8": (
        "[flake8]\n"
        "extend-ignore = PKL201\n"
        "per-file-ignores =\n"
        "    app/legacy.py: PKL101\n"
        "pickle-extra-loaders = mylib.serial.load_blob\n"
    ),
    "setup.cfg": "[flake8]\nselect = E,F,W,PKL1\npickle-extra-loaders = mylib.serial.load_blob\n",
    "tox.ini": "[flake8]\nignore = PKL102\nextend-select = PKL901\n",
}


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_json_equals_flake8_under_each_config_file(tmp_path: Path, config: str) -> None:
    root = tree("configured", tmp_path)
    (root / config).write_text(CONFIGS[config], encoding="utf-8")
    ours = check(["--format", "json", "app"], root)
    theirs = flake8(["app"], root)
    assert ours.returncode == 1, ours.stderr
    found = sorted(findings_of_json(ours.stdout))
    assert found == pkl_lines(theirs.stdout)
    codes = {line.split(": ")[1].split()[0] for line in found}
    files = {line.split(":")[0] for line in found}
    # noqa: PKL102 on line 15 leaves only other codes there; a bare noqa on line 19 silences all.
    assert not any(line.startswith("app/views.py:15:12: PKL102") for line in found)
    assert not any(line.startswith("app/views.py:19:") for line in found)
    assert any(line.startswith("app/views.py:11:12: PKL10") for line in found) or config == "tox.ini"
    if config == ".flake8":
        assert "app/legacy.py" not in files  # per-file-ignores
        assert "PKL201" not in codes  # extend-ignore
        assert any("serial.load_blob" in line for line in found)  # --pickle-extra-loaders from the file
    elif config == "setup.cfg":
        assert codes == {"PKL101", "PKL102"}  # select = ...,PKL1
        assert "app/legacy.py" in files
    else:
        assert "PKL102" not in codes and "PKL901" in codes  # ignore, extend-select
        assert not any("serial.load_blob" in line for line in found)


def test_command_line_options_are_flake8s(tmp_path: Path) -> None:
    root = tree("configured", tmp_path)
    args = ["--extend-ignore", "PKL102", "--per-file-ignores", "app/custom.py:PKL201", "app"]
    ours = check(["--format", "json", *args], root)
    theirs = flake8(["--select", "PKL", *args], root)
    found = sorted(findings_of_json(ours.stdout))
    assert found == pkl_lines(theirs.stdout)
    assert found and not any(" PKL102 " in line or " PKL201 " in line for line in found)


def test_text_is_flake8s_format_and_jobs_do_not_change_it(tmp_path: Path) -> None:
    root = tree("configured", tmp_path)
    one = check(["-j1", "app"], root)
    two = check(["-j2", "app"], root)
    assert one.returncode == two.returncode == 1
    assert sorted(one.stdout.splitlines()) == sorted(two.stdout.splitlines()) == pkl_lines(
        flake8(["--select", "PKL", "app"], root).stdout
    )


def test_stdin_is_checked_as_flake8_checks_it(tmp_path: Path) -> None:
    root = tree("flows", tmp_path)
    source = (root / "handlers.py").read_text(encoding="utf-8")
    proc = check(["--explain", "--stdin-display-name", "handlers.py", "-"], root, stdin=source)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("handlers.py:18:12: PKL101 untrusted data from request.get_data()")
    assert "       -> handlers.py:13: passed to decode() here" in proc.stdout


def test_the_installed_command_reports_what_the_in_process_run_reports(tmp_path: Path) -> None:
    """The console script, as a user runs it (a subprocess), by path and by stdin."""
    root = tree("flows", tmp_path)
    ours = check(["--format", "json", "."], root)
    script = subprocess.run(
        [CHECK, "check", "--format", "json", "."], cwd=root, capture_output=True, text=True, timeout=300, check=False
    )
    assert script.returncode == ours.returncode == 1, script.stderr
    assert findings_of_json(script.stdout) == findings_of_json(ours.stdout) != []
    source = (root / "handlers.py").read_text(encoding="utf-8")
    piped = subprocess.run(
        [CHECK, "check", "--stdin-display-name", "handlers.py", "-"],
        cwd=root, input=source, capture_output=True, text=True, timeout=300, check=False,
    )
    assert piped.returncode == 1 and piped.stdout.startswith("handlers.py:18:12: PKL101"), piped.stdout + piped.stderr


def test_flake8_warns_about_pkl_codes_that_match_nothing(tmp_path: Path) -> None:
    root = tree("configured", tmp_path)
    proc = flake8(["--isolated", "--select", "PKL,PKL999,E501", "--extend-ignore", "PKL10,PKL7", "app"], root)
    assert proc.returncode in (0, 1), proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "flake8-pickle: warning: --select PKL999 matches no flake8-pickle code",
        "flake8-pickle: warning: --extend-ignore PKL7 matches no flake8-pickle code",
    ]


# --------------------------------------------------------------------------- exit codes


def test_exit_codes(tmp_path: Path) -> None:
    root = tree("configured", tmp_path)
    (root / "clean.py").write_text("import pickle\n\nDATA = pickle.loads(pickle.dumps(1))\n", encoding="utf-8")
    assert check(["clean.py"], root).returncode == 0
    assert check(["app"], root).returncode == 1
    assert check(["--exit-zero", "app"], root).returncode == 0
    missing = check(["missing.py"], root)
    assert missing.returncode == 1 and "missing.py:0:1: E902" in missing.stdout  # never a silent pass


@pytest.mark.parametrize(
    "args, named",
    [
        (["--format", "xml"], "--format"),
        (["--pickle-extra-loaders", "mylib.load("], "--pickle-extra-loaders"),
        (["--pickle-extra-loaders", "mylib.serial.load_blob()"], "name the function: 'mylib.serial.load_blob'"),
        (["--pickle-sanitizers", "app.verify()"], "--pickle-sanitizers: 'app.verify()' names a call's result"),
        (["--pickle-sanitizers", "app.import.verify"], "--pickle-sanitizers: 'app.import.verify' is not a qualified name ('import' is a Python keyword)"),
        (["--no-such-option"], "--no-such-option"),
    ],
)
def test_usage_errors_exit_2_and_name_the_option(tmp_path: Path, args: List[str], named: str) -> None:
    root = tree("configured", tmp_path)
    proc = check([*args, "app"], root)
    assert proc.returncode == 2
    assert named in proc.stderr and proc.stdout == ""


def test_bad_config_value_exits_2(tmp_path: Path) -> None:
    root = tree("configured", tmp_path)
    (root / ".flake8").write_text("[flake8]\npickle-sanitizers = 1bad.name\n", encoding="utf-8")
    proc = check(["app"], root)
    assert proc.returncode == 2 and "--pickle-sanitizers: '1bad.name'" in proc.stderr


def test_output_file(tmp_path: Path) -> None:
    root = tree("flows", tmp_path)
    proc = check(["--format", "sarif", "--output", "results.sarif", "."], root)
    assert proc.returncode == 1 and proc.stdout == ""
    log = json.loads((root / "results.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(log)


# --------------------------------------------------------------------------- SARIF


def test_sarif_rules_come_from_the_registry(tmp_path: Path) -> None:
    log, _ = sarif(["."], tree("flows", tmp_path))
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == set(RULES)
    for code, rule in rules.items():
        assert rule["name"] == RULES[code].name
        assert rule["shortDescription"]["text"] == RULES[code].summary
        assert rule["fullDescription"]["text"]
        assert RULES[code].example in rule["help"]["markdown"]
        assert rule["helpUri"] == page_url(code)
        assert (REPO / "docs" / "rules" / f"{code}.md").is_file()
        assert page_url(code).endswith(f"/docs/rules/{code}.md")
        tags = rule["properties"]["tags"]
        if code.startswith("PKL1"):
            assert tags == ["security", "external/cwe/cwe-502"]
        elif code.startswith(("PKL2", "PKL3")):
            assert tags == ["reliability"]
    severity = {code: float(rule["properties"]["security-severity"]) for code, rule in rules.items()}
    assert max(severity, key=severity.get) == "PKL101"  # type: ignore[arg-type]
    assert severity["PKL101"] > severity["PKL103"] > severity["PKL102"] > severity["PKL201"]
    assert rules["PKL101"]["defaultConfiguration"]["level"] == "error"


def test_sarif_code_flow_names_each_hop_of_a_cross_function_pkl101(tmp_path: Path) -> None:
    log, _ = sarif(["."], tree("flows", tmp_path))
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "flows").as_uri() + "/"
    [result] = [r for r in run["results"] if r["ruleId"] == "PKL101"]
    assert region_of(result["locations"][0]) == ("handlers.py", 18)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == 12
    steps = [step["location"] for step in result["codeFlows"][0]["threadFlows"][0]["locations"]]
    # source (17), the call of unpack (18), the call of decode (13), the load (9).
    assert [region_of(step) for step in steps] == [("handlers.py", line) for line in (17, 18, 13, 9)]
    assert [step["message"]["text"] for step in steps] == [
        "untrusted data read from request.get_data()",
        "passed to unpack() here",
        "passed to decode() here",
        "reaches pickle.loads",
    ]


def test_sarif_code_flow_crosses_modules(tmp_path: Path) -> None:
    root = tmp_path / "webapp"
    shutil.copytree(TESTS / "projects" / "webapp", root)
    log, _ = sarif(["."], root)
    flows = {
        region_of(r["locations"][0]): [region_of(s["location"]) for s in r["codeFlows"][0]["threadFlows"][0]["locations"]]
        for r in log["runs"][0]["results"]
        if r["ruleId"] == "PKL101"
    }
    # request.data in views.py reaches tasks.run_task, then serializers.decode_payload's load.
    assert flows[("webapp/serializers.py", 19)] == [
        ("webapp/views.py", 38), ("webapp/views.py", 38), ("webapp/tasks.py", 6), ("webapp/serializers.py", 19)
    ]


def test_sarif_related_locations_cross_modules(tmp_path: Path) -> None:
    """A copy in service.py of a class defined in models.py points at the lock's creation there,
    for the class itself and for a subclass that inherits it."""
    root = tmp_path / "webapp"
    shutil.copytree(TESTS / "projects" / "webapp", root)
    log, _ = sarif(["."], root)
    related = {
        (r["ruleId"], region_of(r["locations"][0])): [
            region_of(place) + (place["message"]["text"],) for place in r.get("relatedLocations", [])
        ]
        for r in log["runs"][0]["results"]
    }
    created = ("webapp/models.py", 7, "threading.Lock created in self._lock of webapp.models.Connection")
    assert related[("PKL201", ("webapp/service.py", 18))] == [created]
    assert related[("PKL202", ("webapp/service.py", 22))] == [created]  # PooledConnection(Connection)


def test_sarif_related_locations_of_resource_findings(tmp_path: Path) -> None:
    log, _ = sarif(["."], tree("flows", tmp_path))
    related = {
        (r["ruleId"], region_of(r["locations"][0])[1]): [
            (region_of(place)[1], place["message"]["text"]) for place in r.get("relatedLocations", [])
        ]
        for r in log["runs"][0]["results"]
    }
    assert related[("PKL301", 7)] == [
        (10, "threading.Lock created in self._lock"),
        (14, "copy.deepcopy of an instance here"),
        (18, "copy.deepcopy of an instance here"),
    ]
    assert related[("PKL201", 14)] == [(10, "threading.Lock created in self._lock"), (7, "class JobConfig holds it")]


def test_sarif_related_locations_of_class_protocol_findings(tmp_path: Path) -> None:
    """PKL104, PKL204 and PKL3xx point at the class (or the callable) and at where instances are
    copied, pickled or sent (tests/check/flows/protocols.py)."""
    log, _ = sarif(["protocols.py"], tree("flows", tmp_path))
    related = {
        (r["ruleId"], region_of(r["locations"][0])[1]): [
            (region_of(place)[1], place["message"]["text"]) for place in r.get("relatedLocations", [])
        ]
        for r in log["runs"][0]["results"]
    }
    assert related[("PKL302", 7)] == [(27, "pickle.dumps of an instance here")]
    assert related[("PKL308", 18)] == [(13, "class Lazy is defined here"), (31, "copy.deepcopy of an instance here")]
    assert related[("PKL104", 22)] == [(21, "class Strict is defined here")]
    assert related[("PKL204", 39)] == [(35, "local function double is defined here")]


def test_sarif_columns_count_characters(tmp_path: Path) -> None:
    root = tree("flows", tmp_path)
    log, _ = sarif(["jobs.py"], root)
    as_json = json.loads(check(["--format", "json", "jobs.py"], root).stdout)["findings"]
    flake8_column = next(f["column"] for f in as_json if f["line"] == 18)
    sarif_column = next(
        r["locations"][0]["physicalLocation"]["region"]["startColumn"]
        for r in log["runs"][0]["results"]
        if region_of(r["locations"][0])[1] == 18
    )
    # `label = "ü"; return copy.deepcopy(...)`: flake8 counts the two bytes of ü, SARIF one character.
    assert (flake8_column, sarif_column) == (26, 25)


def test_fingerprints_survive_edits_above(tmp_path: Path) -> None:
    root = tree("flows", tmp_path)
    before, _ = sarif(["."], root)
    for name in ("handlers.py", "jobs.py", "protocols.py"):
        path = root / name
        path.write_text("# a comment\n\n\ndef unrelated():\n    return 1\n\n\n" + path.read_text(encoding="utf-8"))
    after, _ = sarif(["."], root)

    def prints(log: dict) -> Dict[str, Tuple[str, int]]:
        return {
            r["partialFingerprints"]["flake8PickleFinding/v1"]: (r["ruleId"], region_of(r["locations"][0])[1])
            for r in log["runs"][0]["results"]
        }

    old, new = prints(before), prints(after)
    assert len(old) == len(before["runs"][0]["results"]) >= 4  # one fingerprint per finding
    assert set(old) == set(new)
    assert all(new[key] == (code, line + 7) for key, (code, line) in old.items())


# --------------------------------------------------------------------------- --explain

EXPLAINED = [
    # Each tier.
    "tiers.py:14:12: PKL101 untrusted data from request.get_data() (line 14) reaches pickle.loads\n"
    "    path: tiers.py:14: untrusted data read from request.get_data()\n"
    "       -> tiers.py:14: reaches pickle.loads\n",
    "tiers.py:18:12: PKL102 pickle.loads on data of unknown origin (argument `blob`)\n"
    "     why: tiers.py:18: PKL102: no catalogued source or reason to trust reaches its argument `blob`\n",
    "tiers.py:22:12: PKL103 zmq socket.recv_pyobj unpickles what arrives on an unauthenticated channel (zmq socket)\n"
    "    path: tiers.py:22: zmq socket.recv_pyobj reads an unauthenticated channel (zmq socket): any peer may send the pickle\n",
    "tiers.py:26:5: PKL104 Unpickler Permissive.find_class restricts nothing (every path calls the parent)\n",
    # Each reason a load stays silent.
    "tiers.py:38:12: PKL901 pickle.Unpickler.load call (pickle-family loader inventory)\n"
    "     why: tiers.py:30: trusted: restricted Unpickler Restricted (line 30) admits only an exact allow-list of harmless globals\n",
    "tiers.py:42:12: PKL901 pickle.loads call (pickle-family loader inventory)\n"
    "     why: tiers.py:42: trusted: its input is a literal\n",
    "tiers.py:47:12: PKL901 pickle.loads call (pickle-family loader inventory)\n"
    "     why: tiers.py:46: trusted: output of pickle.dumps at line 46\n",
    "     and: tiers.py:52: trusted: filled by pickle.dump at line 52\n",
    "tiers.py:58:12: PKL901 pickle.loads call (pickle-family loader inventory)\n"
    "     why: tiers.py:58: trusted: verified by cryptography.fernet.Fernet.decrypt at line 58\n",
    "tiers.py:65:12: PKL901 pickle.loads call (pickle-family loader inventory)\n"
    "     why: tiers.py:63: trusted: the check `not hmac.compare_digest(signature, ex...` at line 63 guards this load\n",
    "tiers.py:69:12: note: yaml.load is not a pickle-family load here\n"
    "     why: tiers.py:69: safe: the arguments make yaml.load load safely (`yaml.load(text, Loader=yaml.SafeLoader)`)\n",
    # The inventory entry of a reported load names its tier and path too.
    "tiers.py:14:12: PKL901 pickle.loads call (pickle-family loader inventory)\n"
    "     why: tiers.py:14: PKL101: untrusted data reaches it\n",
    "tiers.py:22:12: PKL901 zmq socket.recv_pyobj call (pickle-family loader inventory)\n"
    "     why: tiers.py:22: PKL103: what it loads comes from an unauthenticated channel\n",
]


@pytest.mark.parametrize("selection", [["--extend-select", "PKL9"], ["--select", "PKL1,PKL901"]])
def test_explain_names_each_tier_and_each_reason(tmp_path: Path, selection: List[str]) -> None:
    proc = check(["--explain", *selection, "tiers.py"], tree("explain", tmp_path))
    assert proc.returncode == 1, proc.stderr
    missing = [block for block in EXPLAINED if block not in proc.stdout]
    assert not missing, proc.stdout


def test_explain_without_the_inventory_explains_findings_only(tmp_path: Path) -> None:
    root = tree("explain", tmp_path)
    proc = check(["--explain", "tiers.py"], root)
    assert "PKL901" not in proc.stdout and "note:" not in proc.stdout
    assert EXPLAINED[0] in proc.stdout
    plain = check(["tiers.py"], root).stdout
    # Without --explain: exactly flake8's lines.
    assert plain.splitlines() == pkl_lines(flake8(["--select", "PKL", "tiers.py"], root).stdout)
    assert [line for line in proc.stdout.splitlines() if not line.startswith(" ")] == plain.splitlines()
