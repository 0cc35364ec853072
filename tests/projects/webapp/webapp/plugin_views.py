import copy

from . import plugin_kinds  # noqa: F401 - the plugins register themselves on import
from . import plugin_registry


def ingest(fmt):
    body = input().encode()
    return plugin_registry.create(fmt).load(body)


def crash_clone_the_metrics_plugin():  # raises: TypeError "cannot pickle '_thread.lock' object"
    return copy.deepcopy(plugin_registry.create("metrics"))  # expect: PKL201@12 "threading.Lock in self.lock of webapp.plugin_kinds.MetricsPlugin"


def clean_clone_the_counter_plugin():
    # Its own class, not through the registry: a registry's elements are not told apart by key.
    assert copy.deepcopy(plugin_kinds.CounterPlugin()).count == 0
