"""Unit tests of the provenance layer (``flake8_pickle.provenance``): the facts a loader's input
carries, how symbolic facts expand, what grading a sink demands, and the verdict's tier.

The fixtures test the whole plugin through flake8; these read the tracker's own answers, so a
change that keeps the findings but breaks a fact (a lost hop, a source line) is seen here.
"""

from __future__ import annotations

import ast
import textwrap
from typing import List, Tuple

from flake8_pickle.analysis import analyze, catalog_for
from flake8_pickle.catalog.loaders import constructor_variant
from flake8_pickle.checks.loaders import LoaderChecks
from flake8_pickle.checks.unpicklers import SoundUnpicklers
from flake8_pickle.provenance import (
    CHANNEL,
    TRUSTED,
    UNKNOWN,
    UNKNOWN_TIER,
    UNTRUSTED,
    Param,
    ProvenanceTracker,
    Returned,
    Sink,
    Source,
    Trusted,
    Verdict,
)
from flake8_pickle.scope import Resolver
from flake8_pickle.settings import Settings


def track(source: str) -> Tuple[ProvenanceTracker, List[Sink]]:
    """Walk ``source`` with a tracker and the loader checks, as the analysis's second walk does."""
    tree = ast.parse(textwrap.dedent(source))
    tracker = ProvenanceTracker()
    loaders = LoaderChecks(catalog_for(Settings()), tracker, lambda finding: None, True, SoundUnpicklers())
    resolver = Resolver(tree, [tracker, loaders], call_hook=constructor_variant)
    tracker.attach(resolver)
    resolver.walk()
    resolver.finish()
    return tracker, list(loaders._sinks)


def only_sink(source: str) -> Tuple[ProvenanceTracker, Sink, Verdict]:
    tracker, sinks = track(source)
    assert len(sinks) == 1, sinks
    verdicts = tracker.verdict(sinks[0])
    assert len(verdicts) == 1, verdicts
    return tracker, sinks[0], verdicts[0]


def test_a_source_call_is_a_source_fact_with_its_line() -> None:
    tracker, sink, verdict = only_sink(
        """
        import pickle, socket
        sock = socket.socket()
        data = sock.recv(4096)
        pickle.loads(data)
        """
    )
    sources = {(s.label, s.line) for s in sink.facts if isinstance(s, Source)}
    # The read itself only: the name it was bound to (whose qualified name is a source's result)
    # is not a second source, which another module's caller would report as a second PKL101.
    assert sources == {("sock.recv(4096)", 4)}
    assert verdict.tier == UNTRUSTED and verdict.source == Source("sock.recv(4096)", 4)


def test_a_literal_is_judged_at_the_call_and_an_own_dump_is_trusted_for_its_reason() -> None:
    _, sinks = track("import pickle\npickle.loads(b'\\x80\\x04K\\x01.')\n")
    assert sinks == []  # a literal needs no provenance: no sink to grade
    _, sink, own = only_sink("import pickle\ndef f(x):\n    return pickle.loads(pickle.dumps(x))\n")
    assert own.tier == TRUSTED
    assert {(f.reason, f.line) for f in sink.facts if isinstance(f, Trusted)} == {("output of pickle.dumps", 3)}
    assert all(isinstance(f, Trusted) for f in sink.facts)


def test_a_parameter_stays_symbolic_and_is_unknown_without_callers() -> None:
    _, sink, verdict = only_sink(
        """
        import pickle
        def load(data):
            return pickle.loads(data)
        """
    )
    params = [f for f in sink.facts if isinstance(f, Param)]
    assert [p.name for p in params] == ["data"]
    assert verdict.tier == UNKNOWN_TIER


def test_a_caller_passing_a_source_makes_the_parameter_untrusted() -> None:
    _, _, verdict = only_sink(
        """
        import pickle, socket
        def load(data):
            return pickle.loads(data)
        def serve(sock: socket.socket):
            load(sock.recv(1024))
        """
    )
    assert verdict.tier == UNTRUSTED
    assert verdict.source is not None and verdict.source.label == "sock.recv(1024)"


def test_a_method_of_a_literal_carries_its_arguments() -> None:
    """``b"".join(chunks)`` is not trusted because its receiver is a literal (the #14 hole)."""
    _, _, verdict = only_sink(
        """
        import pickle
        def read(conn):
            chunks = []
            while chunk := conn.recv(4096):
                chunks.append(chunk)
            return pickle.loads(b"".join(chunks))
        """
    )
    assert verdict.tier != TRUSTED


def test_a_helper_return_expands_at_the_call_and_names_the_hop() -> None:
    tracker, sink, verdict = only_sink(
        """
        import pickle, socket
        def read(conn: socket.socket):
            return conn.recv(10)
        def main(sock):
            return pickle.loads(read(sock))
        """
    )
    assert any(isinstance(f, Returned) and f.function.name == "read" for f in sink.facts)
    assert tracker.expand(sink.facts) == {Source("conn.recv(10)", 4, ("read()",))}
    assert verdict.tier == UNTRUSTED and verdict.source == Source("conn.recv(10)", 4, ("read()",))


def test_data_passed_into_a_helper_and_returned_names_the_helper_as_a_hop() -> None:
    """``recv_all(conn)`` joins what the caller's socket sent: the source is the caller's, and the
    message says the data went through ``recv_all()`` (as a cross-module helper's does)."""
    tracker, sink, verdict = only_sink(
        """
        import pickle, socket
        def recv_all(data):
            chunks = []
            chunks.append(data)
            return b"".join(chunks)
        def main():
            sock = socket.socket()
            return pickle.loads(recv_all(sock.recv(10)))
        """
    )
    assert verdict.tier == UNTRUSTED
    assert verdict.source == Source("sock.recv(10)", 9, ("recv_all()",))
    assert verdict.source.hop_lines == (9,)


def test_a_method_of_an_untyped_parameter_is_unknown_not_trusted() -> None:
    """``s.recv(10)`` on a parameter of unknown type is no catalogued source; its literal argument
    must not make the result trusted either."""
    tracker, sink, verdict = only_sink(
        """
        import pickle, socket
        def read(s):
            return s.recv(10)
        sock = socket.socket()
        pickle.loads(read(sock))
        """
    )
    expanded = tracker.expand(sink.facts)
    assert UNKNOWN in expanded
    assert verdict.tier == UNKNOWN_TIER


def test_grading_demands_the_bodies_it_depends_on() -> None:
    source = """
        import pickle
        def fetch(client):
            return client.get()
        def use(client):
            return pickle.loads(fetch(client))
        """
    tracker, sinks = track(source)
    demands = tracker.demands(f for sink in sinks for f in sink.facts)
    assert {getattr(b, "name", None) for b in demands.bodies} >= {"fetch"}


def test_unknown_data_is_unknown_not_trusted() -> None:
    tracker, sink, verdict = only_sink(
        """
        import pickle
        def load(blob_store):
            return pickle.loads(blob_store.read_all())
        """
    )
    assert verdict.tier == UNKNOWN_TIER
    assert not any(isinstance(f, Trusted) for f in tracker.expand(sink.facts))


def test_a_channel_kept_on_self_is_a_channel_in_another_method() -> None:
    _, _, verdict = only_sink(
        """
        import pickle
        import zmq
        class Worker:
            def __init__(self):
                self.sub = zmq.Context().socket(zmq.SUB)
            def step(self):
                return pickle.loads(self.sub.recv())
        """
    )
    assert verdict.tier in (CHANNEL, UNTRUSTED)
    assert verdict.tier != UNKNOWN_TIER


def test_each_hop_records_where_the_data_passed() -> None:
    """``self.last`` at the line it is read, ``payload()`` at the line it is called: the path of a
    PKL101 finding (SARIF ``codeFlows``, ``--explain``) shows each hop where it happens."""
    tracker, sink, verdict = only_sink(
        """
        import pickle
        import socket
        class Server:
            def __init__(self, sock: socket.socket):
                self.sock = sock
                self.last = None
            def pump(self):
                self.last = self.sock.recv(4096)
            def payload(self):
                return self.last
            def handle(self):
                return pickle.loads(self.payload())
        """
    )
    assert verdict.tier == UNTRUSTED
    source = verdict.source
    assert (source.label, source.line) == ("self.sock.recv(4096)", 9)
    assert list(zip(source.via, source.hop_lines)) == [("self.last", 11), ("payload()", 13)]


def test_facts_are_keyed_by_place_and_equal_across_walks_of_separate_parses() -> None:
    """Provenance facts name functions, calls and classes by their place in the source
    (``shapes.node_key``), not by node identity: two walks of two parses of one module give
    equal facts and equal summaries, which is what lets a summary outlive one walk."""
    source = """
        import pickle, socket

        class Conn:
            def __init__(self):
                self.sock = socket.socket()

            def read(self):
                return self.sock.recv(4096)

        def handle(payload, conn):
            data = conn.read()
            return pickle.loads(payload), pickle.loads(data)
        """
    first, first_sinks = track(source)
    second, second_sinks = track(source)
    assert [sink.facts for sink in first_sinks] == [sink.facts for sink in second_sinks]
    params = [f for sink in first_sinks for f in sink.facts if isinstance(f, Param)]
    assert {(f.function_key, f.name) for f in params} == {((11, 0, 13, 52), "payload"), ((11, 0, 13, 52), "conn")}
    assert set(first.returns) == set(second.returns) == {(8, 4, 9, 35), (11, 0, 13, 52)}
    assert all(type(key) is tuple and all(type(part) is int for part in key) for key in first.returns)


def _reassigned_under_ifs(count: int, loader_here: bool) -> str:
    """``a = f(a)`` under ``count`` ``if``s, the old ``a`` kept beside the new each time (probe A:
    transformers' generation code), then loaded here or handed to another module's loader."""
    blocks = "".join("    if c:\n        a = f(a)\n" for _ in range(count))
    end = "    return pickle.loads(a)\n" if loader_here else "    return load(a)\n"
    head = "import pickle\n" if loader_here else "from loader import load\n"
    return f"{head}\n\ndef f(x):\n    return x\n\n\ndef run(a, c):\n{blocks}{end}"


def test_facts_that_share_their_parts_are_expanded_once_each(monkeypatch) -> None:
    """Each ``if`` doubles the tree the facts unfold to: they must be expanded as the graph they are
    (counted, not timed: 2**20 expansions before the memo)."""
    from flake8_pickle.provenance import ProvenanceTracker

    calls = []
    original = ProvenanceTracker._expand_returned

    def counted(self, fact, depth, visiting):
        calls.append(fact)
        return original(self, fact, depth, visiting)

    monkeypatch.setattr(ProvenanceTracker, "_expand_returned", counted)
    source = _reassigned_under_ifs(20, loader_here=True)
    codes = [f.code for f in analyze(ast.parse(source), source=source)]
    assert codes.count("PKL102") == 1
    assert len(calls) < 200, len(calls)


def test_the_order_key_of_shared_facts_stays_small(monkeypatch) -> None:
    """``fact_order`` spells a long part by a digest and remembers each fact's key: the summary of a
    function whose facts share their parts costs as many keys as there are distinct facts."""
    import flake8_pickle.provenance_calls as model
    from flake8_pickle.project.summary import FULL, summarise
    from flake8_pickle.settings import Settings

    model._remembered_order.cache_clear()
    spelled = []
    original = model._order

    def counted(value):
        key = original(value)
        spelled.append(len(key))
        return key

    monkeypatch.setattr(model, "_order", counted)
    source = _reassigned_under_ifs(24, loader_here=False)
    summary = summarise(ast.parse(source), "app", "app.py", False, Settings(), FULL, source.encode())
    assert summary["functions"]["run"]["returns"]
    assert len(spelled) < 5000, len(spelled)
    assert max(spelled) < 2000, max(spelled)


def test_parts_of_parts_are_named_to_a_bounded_depth() -> None:
    """A loop storing parts of a container's values back in it names parts of parts of parts...: a
    part is named at most two deep (a deeper one as its ancestor, which a check must have verified)."""
    from flake8_pickle.provenance_model import Source, with_part

    facts = frozenset((Source("request.data", 3),))
    for index in range(10):
        facts = with_part(facts, f"[{index}:]")
    (source,) = facts
    assert source.part == ("[0:]", "[1:]")
