"""PKL301 on dataclasses, unsafe fix: the lock field is left out of the state, rebuilt from its
default_factory, and excluded from comparison (a copy gets a new lock); with eq=False the same
fix is safe."""
# fix-args: --unsafe-fixes
# fixes: PKL301
# before-raises: TypeError "cannot pickle '_thread.lock' object"
import copy
import pickle
import threading
from dataclasses import dataclass, field


@dataclass
class Counter:
    name: str
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, n):
        with self.lock:
            self.total += n

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.lock = threading.Lock()


@dataclass(eq=False)
class Registry:
    entries: dict = field(default_factory=dict)
    guard: threading.RLock = field(default_factory=threading.RLock)

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["guard"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.guard = threading.RLock()


def roundtrip():
    counter = Counter("hits")
    counter.add(2)
    for clone in (pickle.loads(pickle.dumps(counter)), copy.deepcopy(counter), copy.copy(counter)):
        assert clone == counter  # equal: the lock is not compared
        assert clone.lock is not counter.lock
        clone.add(1)
        assert clone.total == 3 and counter.total == 2
    registry = Registry({"a": 1})
    for clone in (pickle.loads(pickle.dumps(registry)), copy.deepcopy(registry)):
        assert clone.entries == {"a": 1}
        with clone.guard:
            pass
