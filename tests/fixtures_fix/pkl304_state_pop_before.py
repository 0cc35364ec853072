"""PKL304, safe fix: __getstate__ drops the log file but not the lock added later."""
# fix-args: (none)
# fixes: PKL304
# before-raises: TypeError "cannot pickle '_thread.lock' object"
import os
import pickle
import tempfile
import threading


class Worker:
    def __init__(self, log_path):
        self.log_path = log_path
        self.pending = []
        self._lock = threading.Lock()
        self._log = open(log_path, "a")

    def __getstate__(self):
        state = dict(self.__dict__)
        del state["_log"]

        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._log = open(self.log_path, "a")

    def submit(self, item):
        with self._lock:
            self.pending.append(item)
            return len(self.pending)


def roundtrip():
    path = os.path.join(tempfile.mkdtemp(), "worker.log")
    worker = Worker(path)
    worker.submit("a")
    clone = pickle.loads(pickle.dumps(worker))
    assert clone.log_path == path and clone.pending == ["a"]
    assert clone.submit("b") == 2  # the recreated lock works
    assert worker._lock is not clone._lock
