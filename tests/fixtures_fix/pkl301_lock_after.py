"""PKL301, safe fix: the lock is recreated from `threading.Lock()`."""
# fix-args: (none)
# fixes: PKL301
# before-raises: TypeError "cannot pickle '_thread.lock' object"
import copy
import pickle
import threading


class RateLimiter:
    """Counts calls under a lock."""

    def __init__(self, rate):
        self.rate = rate  # calls per second
        self.calls = 0
        self._lock = threading.Lock()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def hit(self):
        with self._lock:
            self.calls += 1
            return self.calls


def roundtrip():
    limiter = RateLimiter(10)
    limiter.hit()
    for clone in (pickle.loads(pickle.dumps(limiter)), copy.deepcopy(limiter)):
        assert clone.rate == 10 and clone.calls == 1
        assert clone.hit() == 2  # the recreated lock works
        assert clone._lock is not limiter._lock
