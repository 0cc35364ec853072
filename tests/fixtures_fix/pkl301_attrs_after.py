"""PKL301 on attrs classes: the lock field is left out of the state, rebuilt from its factory, and
excluded from comparison (eq=False on the field): unsafe, as for dataclasses; slotted classes
(attrs.define's default) are declined."""
# fix-args: --unsafe-fixes
# fixes: PKL301
# before-raises: TypeError "cannot pickle '_thread.lock' object"
import copy
import pickle
import threading

import attr


@attr.s
class Meter:
    name = attr.ib()
    total = attr.ib(default=0)
    lock = attr.ib(factory=threading.Lock, repr=False, eq=False)

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


@attr.s(eq=False)
class Pool:
    items = attr.ib(factory=list)
    guard: threading.RLock = attr.ib(default=attr.Factory(threading.RLock))

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["guard"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.guard = threading.RLock()


def roundtrip():
    meter = Meter("requests")
    meter.add(2)
    for clone in (pickle.loads(pickle.dumps(meter)), copy.deepcopy(meter), copy.copy(meter)):
        assert clone == meter  # equal: the lock is not compared
        assert clone.lock is not meter.lock
        clone.add(1)
        assert clone.total == 3 and meter.total == 2
    pool = Pool([1])
    for clone in (pickle.loads(pickle.dumps(pool)), copy.deepcopy(pool)):
        assert clone.items == [1] and clone.guard is not pool.guard
