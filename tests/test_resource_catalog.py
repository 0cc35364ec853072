"""The resource catalogue against the measurements it is generated from (issue 5, deliverable 1).

The oracle is read from ``tests/data/oracle_table.json`` (a byte-identical copy of
``../shared/oracle/table.json``, which a clean clone does not have) and the third-party probe
from ``probes/thirdparty/table.json``.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from flake8_pickle.catalog import resource_table
from flake8_pickle.catalog.loaders import is_qualified_name
from flake8_pickle.catalog.resource_table import ALIASES, RESOURCE_VALUES, RESOURCES, ROUND_TRIPS, SYNTACTIC_RESOURCES
from flake8_pickle.catalog.resources import (
    ALWAYS,
    ARGUMENT,
    CONDITIONS,
    FAIL,
    KIND_PICKLE_ONLY,
    KIND_PROTOCOL_DEPENDENT,
    KIND_RESOURCE,
    KINDS,
    LOADS_FAIL,
    NOT_MEASURED,
    OK,
    PROTOCOL,
    STATE,
    ResourceFacts,
)
from flake8_pickle.scope import Resolver

REPO_ROOT = Path(__file__).resolve().parent.parent
ORACLE = REPO_ROOT / "tests" / "data" / "oracle_table.json"
SHARED_ORACLE = REPO_ROOT.parent / "shared" / "oracle" / "table.json"
PROBE = REPO_ROOT / "probes" / "thirdparty" / "table.json"
BASES = REPO_ROOT / "probes" / "bases" / "table.json"
BASES_PROBE = REPO_ROOT / "probes" / "bases" / "probe.py"
GENERATOR = REPO_ROOT / "scripts" / "gen_resource_catalog.py"
TABLE = REPO_ROOT / "flake8_pickle" / "catalog" / "resource_table.py"

_SEVERITY = {OK: 0, LOADS_FAIL: 1, FAIL: 2}


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_resource_catalog", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
ORACLE_ROWS: List[dict] = [
    row
    for row in json.loads(ORACLE.read_text(encoding="utf-8"))
    if row["section"] == "stdlib" and row["wrapper"] == "bare"
]
PROBE_ROWS: List[dict] = json.loads(PROBE.read_text(encoding="utf-8"))
MEASURED_PROBE_ROWS = [row for row in PROBE_ROWS if row["pickle"] != NOT_MEASURED]


def entry(key: str) -> Optional[ResourceFacts]:
    """The facts filed under ``key`` in whichever table holds failing objects."""
    for table in (RESOURCES, RESOURCE_VALUES, SYNTACTIC_RESOURCES):
        if key in table:
            return table[key]
    return None


def round_trips(row: dict) -> bool:
    return all(row[op] == OK for op in ("pickle", "deepcopy", "copy")) and row.get("pickle_p0") in (OK, None)


def _row_id(row: dict) -> str:
    return row["object"]


def _check_row(row: dict, evidence: str) -> None:
    """One measured row is filed under its constructor's resolver name, by the catalogue's rules."""
    key = gen.resolver_key(row["constructor"])
    facts = entry(key)
    if round_trips(row):
        if facts is None:
            assert key in ROUND_TRIPS
        else:
            # Only a name declared conditional may round-trip in one variant and fail in another.
            assert facts.condition in (ARGUMENT, STATE), key
            assert key not in ROUND_TRIPS
        return
    assert facts is not None, f"{key} fails but is not catalogued"
    assert key not in ROUND_TRIPS
    assert evidence in facts.evidence
    if facts.condition == STATE:
        assert facts.kind == KIND_PROTOCOL_DEPENDENT
    elif row["deepcopy"] == FAIL:
        assert facts.kind == KIND_RESOURCE, key
    elif facts.deepcopy == FAIL:
        # This variant deep-copies, another does not: the worst wins, and the note says so.
        assert facts.kind == KIND_RESOURCE and "variants differ, the worst wins" in facts.note, key
    elif row["pickle"] in (FAIL, LOADS_FAIL):
        assert facts.kind == KIND_PICKLE_ONLY, key
    else:
        assert row.get("pickle_p0") in (FAIL, LOADS_FAIL)
        assert (facts.kind, facts.condition) == (KIND_PROTOCOL_DEPENDENT, PROTOCOL), key
    # The worst outcome wins: the facts are never milder than any one measured variant.
    for op in ("pickle", "deepcopy", "copy"):
        assert _SEVERITY[getattr(facts, op)] >= _SEVERITY[row[op]], (key, op)
    if facts.pickle_p0 is not None:
        assert _SEVERITY[facts.pickle_p0] >= _SEVERITY[row["pickle_p0"]], key
    if row["copy"] == FAIL:
        assert facts.copy_fails, key


# --- (a) the standard library, against the oracle ----------------------------------------------


def test_oracle_copy_is_byte_identical_to_the_shared_oracle():
    if not SHARED_ORACLE.exists():
        pytest.skip("../shared/oracle is not present (clean clone)")
    assert ORACLE.read_bytes() == SHARED_ORACLE.read_bytes(), "copy ../shared/oracle/table.json again"


def test_oracle_has_the_expected_rows():
    assert len(ORACLE_ROWS) == 132
    assert {row["python"] for row in ORACLE_ROWS} == {"3.11.7"}


@pytest.mark.parametrize("row", ORACLE_ROWS, ids=_row_id)
def test_oracle_row(row):
    _check_row(row, f"oracle: {row['object']}")


def test_marker_rows_are_syntactic():
    for row in ORACLE_ROWS:
        key = gen.resolver_key(row["constructor"])
        if key.startswith("<"):
            assert key in SYNTACTIC_RESOURCES or key in ROUND_TRIPS, key
            assert key not in RESOURCES
    assert SYNTACTIC_RESOURCES["<lambda>"].kind == KIND_PICKLE_ONLY
    assert SYNTACTIC_RESOURCES["<local def>"].kind == KIND_PICKLE_ONLY
    assert SYNTACTIC_RESOURCES["<local class>"].kind == KIND_PICKLE_ONLY
    assert SYNTACTIC_RESOURCES["<genexpr>"].kind == KIND_RESOURCE
    assert {"<def>", "<bound method>", "<builtin function>"} <= ROUND_TRIPS


def test_value_rows_are_values():
    assert RESOURCE_VALUES["sys.stdout"].kind == KIND_RESOURCE
    assert RESOURCE_VALUES["os.environ"].kind == KIND_PICKLE_ONLY
    assert not set(RESOURCE_VALUES) & set(RESOURCES)


def test_well_known_outcomes():
    assert RESOURCES["threading.Lock"].kind == KIND_RESOURCE
    assert RESOURCES["threading.Lock"].type_name == "_thread.lock"
    assert RESOURCES["threading.Lock"].error == "TypeError: cannot pickle '_thread.lock' object"
    assert RESOURCES["socket.socket"].copy_fails
    assert not RESOURCES["threading.Condition"].copy_fails
    assert RESOURCES["argparse.ArgumentParser"].kind == KIND_PICKLE_ONLY
    assert RESOURCES["io.BytesIO"].kind == KIND_PROTOCOL_DEPENDENT
    assert RESOURCES["io.BytesIO"].condition == PROTOCOL
    for safe in ("http.client.HTTPConnection", "tempfile.TemporaryDirectory", "multiprocessing.Pipe",
                 "requests.Session", "logging.getLogger", "re.compile", "multiprocessing.Manager().dict"):
        assert safe in ROUND_TRIPS
        assert entry(safe) is None


# --- (b) third-party types, against the probe --------------------------------------------------


@pytest.mark.parametrize("row", MEASURED_PROBE_ROWS, ids=lambda row: row["key"])
def test_probe_row(row):
    _check_row(row, f"probe: {row['package']} {row['version']}: {row['object']}")


BASES_ROWS: List[dict] = json.loads(BASES.read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", BASES_ROWS, ids=lambda row: row["key"])
def test_bases_row(row):
    """Each subclass measurement is in the catalogue under the base's name (or it round-trips)."""
    _check_row(row, f"probe: {row['package']} {row['version']}: {row['object']}")


def test_bases_table_has_every_row_of_its_probe():
    spec = importlib.util.spec_from_file_location("bases_probe", BASES_PROBE)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    assert [key for key, *_ in module.ROWS] == [row["key"] for row in BASES_ROWS]


def test_library_bases_that_hold_resources_and_look_alikes_that_do_not():
    for base in ("logging.Handler", "socketserver.TCPServer", "http.server.HTTPServer", "cmd.Cmd", "sched.scheduler"):
        assert entry(base) is not None and entry(base).deepcopy_fails, base
    for look_alike in ("logging.NullHandler", "concurrent.futures.Executor", "smtplib.SMTP", "contextlib.ExitStack"):
        assert look_alike in ROUND_TRIPS and entry(look_alike) is None, look_alike
    process = entry("multiprocessing.Process")
    assert process is not None and process.pickle_fails and process.travels_when_spawning


def test_probe_evidence_names_the_package_version():
    lazy_client = "probe: redis 8.1.0: redis.Redis() (default localhost:6379, never connected)"
    assert lazy_client in RESOURCES["redis.Redis"].evidence
    for facts in RESOURCES.values():
        for line in facts.evidence:
            assert line.startswith(("oracle: ", "probe: ", "by construction, not measured: probe: "))


def test_unmeasurable_blocking_connection_is_a_resource_by_construction():
    facts = RESOURCES["pika.BlockingConnection"]
    assert facts.kind == KIND_RESOURCE
    assert (facts.pickle, facts.deepcopy, facts.copy) == (NOT_MEASURED,) * 3
    assert facts.pickle_fails and facts.deepcopy_fails
    assert all(line.startswith("by construction, not measured: probe: pika 1.4.4: ") for line in facts.evidence)
    assert "AMQP" in facts.note


def test_unmeasured_rows_add_nothing():
    for row in PROBE_ROWS:
        if row["pickle"] == NOT_MEASURED and row["constructor"] not in gen.BY_CONSTRUCTION:
            key = gen.resolver_key(row["constructor"])
            facts = entry(key)
            assert facts is None or all(row["object"] not in line for line in facts.evidence)
    assert "torch.nn.Linear" not in RESOURCES and "torch.nn.Linear" not in ROUND_TRIPS


def test_state_dependent_third_party_types():
    assert RESOURCES["paramiko.SSHClient"].kind == KIND_PROTOCOL_DEPENDENT
    assert RESOURCES["paramiko.SSHClient"].condition == STATE
    assert RESOURCES["asyncio.Lock"].condition == STATE
    assert RESOURCES["zmq.Context"].kind == KIND_PICKLE_ONLY  # deepcopy "works" by sharing the handle
    assert "share" in RESOURCES["zmq.Context"].note or "same libzmq" in RESOURCES["zmq.Context"].note


# --- the conflict rule: the worst outcome wins --------------------------------------------------


def test_open_variants_merge_types_and_keep_every_row():
    facts = RESOURCES["builtins.open"]
    assert facts.type_name == "_io.TextIOWrapper | _io.BufferedReader | _io.FileIO"
    assert len(facts.evidence) == 3
    assert facts.error == "TypeError: cannot pickle '_io.TextIOWrapper' object"  # the first row's


def test_socketpair_copy_fails_because_the_element_does():
    facts = RESOURCES["socket.socketpair"]
    assert facts.copy == FAIL and facts.copy_fails  # the tuple copies; its socket does not
    assert "variants differ, the worst wins" in facts.note


def test_scandir_protocol_zero_takes_fail_over_loads_fail():
    outcomes = {row["pickle_p0"] for row in ORACLE_ROWS if row["constructor"] == "os.scandir"}
    assert outcomes == {FAIL, LOADS_FAIL}
    assert RESOURCES["os.scandir"].pickle_p0 == FAIL


def test_mmap_variants():
    assert len(RESOURCES["mmap.mmap"].evidence) == 2
    assert RESOURCES["mmap.mmap"].copy_fails


def test_argument_dependent_constructors():
    for key in ("collections.defaultdict", "functools.partial", "builtins.map"):
        facts = RESOURCES[key]
        assert (facts.kind, facts.condition) == (KIND_PICKLE_ONLY, ARGUMENT), key
        assert key not in ROUND_TRIPS


def test_sessionmaker_deepcopy_fails_when_any_variant_does():
    facts = RESOURCES["sqlalchemy.orm.sessionmaker"]
    assert facts.deepcopy == FAIL and facts.kind == KIND_RESOURCE
    assert "bound to an engine" in facts.note


def _row(**changes):
    base = dict(key="x.y", type_name="x.T", pickle=OK, pickle_p0=OK, deepcopy=OK, copy=OK, pickle_error="",
                pickle_p0_error="", deepcopy_error="", copy_error="", evidence="oracle: x", description="x")
    base.update(changes)
    return gen.Row(**base)


def test_merge_rule_on_synthetic_rows():
    facts = gen.merge("x.y", [
        _row(pickle=LOADS_FAIL, pickle_error="first", evidence="oracle: a", description="a"),
        _row(pickle=FAIL, deepcopy=FAIL, pickle_error="second", evidence="oracle: b", description="b"),
    ])
    assert (facts.pickle, facts.deepcopy, facts.kind) == (FAIL, FAIL, KIND_RESOURCE)
    assert facts.error == "first"
    assert facts.evidence == ("oracle: a", "oracle: b")
    assert facts.pickle_p0 == OK
    unknown_p0 = gen.merge("x.y", [_row(pickle=FAIL), _row(pickle=FAIL, pickle_p0=None)])
    assert unknown_p0.pickle_p0 is None


def test_merge_refuses_an_undeclared_mix_of_safe_and_failing_variants():
    with pytest.raises(gen.GenerationError):
        gen.merge("x.y", [_row(), _row(pickle=FAIL, deepcopy=FAIL)])
    with pytest.raises(gen.GenerationError):
        gen.merge("x.y", [_row(copy=FAIL)])  # only copy fails: no kind says that


# --- (c) the generated file is up to date -------------------------------------------------------


def test_generated_file_is_up_to_date(tmp_path):
    output = tmp_path / "resource_table.py"
    subprocess.run([sys.executable, str(GENERATOR), "--output", str(output)], check=True, cwd=tmp_path)
    assert output.read_text(encoding="utf-8") == TABLE.read_text(encoding="utf-8"), (
        "run python scripts/gen_resource_catalog.py"
    )


def test_generated_file_header_and_imports():
    text = TABLE.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# generated by scripts/gen_resource_catalog.py — do not edit"
    allowed_imports = {
        TABLE: {"typing", "resources"},
        REPO_ROOT / "flake8_pickle" / "catalog" / "resources.py": {"__future__", "dataclasses", "typing"},
    }
    for path, allowed in allowed_imports.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert {alias.name for alias in node.names} <= allowed, path
            elif isinstance(node, ast.ImportFrom):
                assert node.module in allowed, path


# --- (d) aliases --------------------------------------------------------------------------------


def test_aliases_point_at_measured_entries_with_equal_facts():
    measured = (set(RESOURCES) | set(RESOURCE_VALUES) | ROUND_TRIPS) - set(ALIASES)
    for alias, target in ALIASES.items():
        assert target in measured, alias
        assert target not in ALIASES
        if target in RESOURCES:
            assert RESOURCES[alias] == RESOURCES[target], alias
        elif target in RESOURCE_VALUES:
            assert RESOURCE_VALUES[alias] == RESOURCE_VALUES[target], alias
        else:
            assert alias in ROUND_TRIPS and entry(alias) is None, alias


def test_brief_aliases_are_present():
    expected = {
        "_thread.allocate_lock": "threading.Lock",
        "multiprocessing.synchronize.Lock": "multiprocessing.Lock",
        "io.open": "builtins.open",
        "socket.create_connection": "socket.socket",
        "socket.create_server": "socket.socket",
        "socket.fromfd": "socket.socket",
        "redis.StrictRedis": "redis.Redis",
        "grpc.secure_channel": "grpc.insecure_channel",
        "redis.StrictRedis().pubsub": "redis.Redis().pubsub",
        "sqlite3.Connection().cursor": "sqlite3.connect().cursor",
        "asyncio.get_event_loop().create_future": "asyncio.new_event_loop().create_future",
    }
    for alias, target in expected.items():
        assert ALIASES[alias] == target
    for measured in ("queue.Queue", "asyncio.Lock", "gzip.open", "tempfile.TemporaryFile", "logging.FileHandler",
                     "logging.handlers.RotatingFileHandler", "sqlalchemy.orm.Session", "redis.from_url",
                     "psycopg2.connect", "pymysql.connect", "boto3.client", "boto3.resource", "httpx.Client",
                     "httpx.AsyncClient", "aiohttp.ClientSession", "paramiko.SSHClient", "kafka.KafkaProducer",
                     "kafka.KafkaConsumer", "zmq.Context", "zmq.Context().socket", "multiprocessing.Pool",
                     "multiprocessing.pool.ThreadPool", "concurrent.futures.ProcessPoolExecutor",
                     "concurrent.futures.ThreadPoolExecutor", "asyncio.new_event_loop",
                     "sqlalchemy.create_engine", "sqlalchemy.orm.sessionmaker"):
        assert measured in RESOURCES and measured not in ALIASES, measured
    assert ALIASES["asyncio.get_event_loop"] == "asyncio.new_event_loop"


# --- consistency of the tables ------------------------------------------------------------------


def _all_facts() -> Dict[str, ResourceFacts]:
    return {**RESOURCES, **RESOURCE_VALUES, **SYNTACTIC_RESOURCES}


def test_fields_use_the_vocabulary():
    outcomes = {OK, FAIL, LOADS_FAIL, NOT_MEASURED}
    for key, facts in _all_facts().items():
        assert facts.kind in KINDS, key
        assert facts.condition in CONDITIONS, key
        assert {facts.pickle, facts.deepcopy, facts.copy} <= outcomes, key
        assert facts.pickle_p0 in outcomes | {None}, key
        assert facts.copy_fails == (facts.copy == FAIL), key
        assert facts.evidence, key
        assert "0x" not in facts.error or "0x..." in facts.error, key
        if facts.kind == KIND_RESOURCE:
            assert facts.deepcopy_fails, key
        if facts.kind == KIND_PICKLE_ONLY:
            assert facts.pickle_fails and not facts.deepcopy_fails, key
        if facts.condition == PROTOCOL:
            assert facts.pickle == OK and facts.pickle_p0 in (FAIL, LOADS_FAIL), key
        if facts.condition in (ALWAYS, ARGUMENT) and facts.pickle != NOT_MEASURED:
            assert facts.error, key


def test_round_trips_are_disjoint_from_the_failing_tables():
    assert not ROUND_TRIPS & set(_all_facts())


def test_hand_tables_are_not_stale():
    constructors = {row["constructor"] for row in ORACLE_ROWS} | {row["constructor"] for row in PROBE_ROWS}
    assert set(gen.RENAMES) <= constructors
    measured = set(_all_facts()) - set(ALIASES)
    assert set(gen.CONDITIONS) <= measured
    assert set(gen.NOTES) <= measured
    assert gen.VALUE_KEYS <= set(RESOURCE_VALUES)
    assert set(gen.BY_CONSTRUCTION) <= set(RESOURCES)


def test_every_key_is_a_name_the_resolver_produces():
    named = {name for name in ROUND_TRIPS if not name.startswith("<")}
    for key in sorted(set(RESOURCES) | set(RESOURCE_VALUES) | named):
        assert is_qualified_name(key), key
        module = key.split(".")[0].split("(")[0]
        source = f"import {module}\nvalue = {key}\n"
        resolver = Resolver(ast.parse(source))
        resolver.run()
        assert resolver.lookup("value") == frozenset({key}), key


def test_generated_module_exports():
    assert set(resource_table.__dict__) >= {"RESOURCES", "RESOURCE_VALUES", "SYNTACTIC_RESOURCES", "ALIASES",
                                            "ROUND_TRIPS"}
    assert isinstance(ROUND_TRIPS, frozenset)
