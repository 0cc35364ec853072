"""PKL301, unsafe fix: the semaphore's size comes from a parameter, read back from `self.limit`."""
# fix-args: --unsafe-fixes
# fixes: PKL301
# before-raises: TypeError "cannot pickle '_thread.lock' object"
import copy
import pickle
import threading


class Throttle:
    def __init__(self, limit):
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.RLock()


def roundtrip():
    throttle = Throttle(2)
    for clone in (pickle.loads(pickle.dumps(throttle)), copy.deepcopy(throttle)):
        assert clone.limit == 2
        assert clone._slots.acquire(blocking=False) and clone._slots.acquire(blocking=False)
        assert not clone._slots.acquire(blocking=False)  # recreated with the stored limit
        with clone._lock:
            pass
