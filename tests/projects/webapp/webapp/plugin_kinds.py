"""Plugins that put themselves in webapp/plugin_registry.py's registry; webapp/plugin_views.py picks one by name."""
import json
import pickle
import threading

from .plugin_registry import register


@register("pickle")
class PicklePlugin:
    def load(self, data):
        return pickle.loads(data)  # expect: PKL101@16 "input().encode() in webapp/plugin_views.py (line 8)"


@register("json")
class JsonPlugin:
    def load(self, data):
        return json.loads(data)


@register("metrics")
class MetricsPlugin:  # expect: PKL301@1 "class MetricsPlugin holds threading.Lock in self.lock (line 24)"
    def __init__(self):
        self.lock = threading.Lock()


@register("counter")
class CounterPlugin:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0

    def __getstate__(self):
        return {"count": self.count}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.lock = threading.Lock()
