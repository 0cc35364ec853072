"""PKL301 on an exception: BaseException.__reduce__ ignores __getstate__, so the fix adds __reduce__."""
# fix-args: --unsafe-fixes
# fixes: PKL301
# before-raises: TypeError "cannot pickle '_thread.lock' object"
import copy
import pickle
import threading


class JobFailed(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.done = threading.Event()

    def __reduce__(self):
        state = self.__dict__.copy()
        del state["done"]
        return (self.__class__, self.args, state)

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.done = threading.Event()


def roundtrip():
    error = JobFailed("boom")
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert isinstance(clone, JobFailed) and clone.args == ("boom",)
        clone.done.set()
        assert clone.done.is_set() and not error.done.is_set()
