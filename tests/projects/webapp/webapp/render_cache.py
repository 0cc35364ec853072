import copy
import pickle
import threading

from .renderers import Component, Renderer


class CachedRenderer(Renderer):
    def __init__(self, title):
        super().__init__(title)
        self.lock = threading.Lock()


class Sensor(Component):  # expect: PKL301@1 "class Sensor holds threading.RLock in self.guard (line 17)"
    def __init__(self):
        super().__init__()
        self.guard = threading.RLock()


def clean_pickle_cached_renderer():
    assert pickle.loads(pickle.dumps(CachedRenderer("x"))).title == "x"
    assert copy.deepcopy(CachedRenderer("y")).title == "y"


def crash_pickle_sensor():  # raises: TypeError "cannot pickle '_thread.RLock' object"
    return pickle.dumps(Sensor())  # expect: PKL202@12 "threading.RLock in self.guard (line 17)"
