"""PKL304, safe fix: an explicit state dict lists the lock; the entry goes, __setstate__ recreates it."""
# fix-args: (none)
# fixes: PKL304
# before-raises: TypeError "cannot pickle '_thread.RLock' object"
import copy
import pickle
import threading


class Counter:
    def __init__(self, name):
        self.name = name
        self.count = 0
        self._guard = threading.RLock()

    def __getstate__(self):
        return {
            "name": self.name,
            "count": self.count,  # the running total
            "_guard": self._guard,
        }

    def __setstate__(self, state):
        self.name = state["name"]
        self.count = state["count"]

    def bump(self):
        with self._guard:
            with self._guard:  # re-entrant
                self.count += 1
                return self.count


def roundtrip():
    counter = Counter("hits")
    counter.bump()
    for clone in (pickle.loads(pickle.dumps(counter)), copy.deepcopy(counter)):
        assert clone.name == "hits" and clone.count == 1
        assert clone.bump() == 2  # the recreated RLock works
