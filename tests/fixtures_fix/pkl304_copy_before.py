"""PKL304, safe fix: the returned copy of __dict__ still holds the lock; drop it and recreate it."""
# fix-args: (none)
# fixes: PKL304
# before-raises: TypeError "cannot pickle '_thread.lock' object"
import copy
import pickle
import threading


class Cache:
    """A memo table that is pickled between runs."""

    def __init__(self, size):
        self.size = size
        self.entries = {}
        self._lock = threading.Lock()  # guards entries

    def __getstate__(self):
        # Everything but the lock was meant to travel.
        return self.__dict__.copy()

    def put(self, key, value):
        with self._lock:
            self.entries[key] = value
            return len(self.entries)


def roundtrip():
    cache = Cache(8)
    cache.put("a", 1)
    for clone in (pickle.loads(pickle.dumps(cache)), copy.deepcopy(cache)):
        assert clone.size == 8 and clone.entries == {"a": 1}
        assert clone.put("b", 2) == 2  # the recreated lock works
        assert clone._lock is not cache._lock
    assert "_lock" in vars(cache)  # pickling left the original alone
