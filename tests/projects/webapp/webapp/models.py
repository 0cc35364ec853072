"""Classes that hold locks; the copies and pickles are in webapp/service.py."""
import threading


class Connection:  # expect: PKL301@1 "class Connection holds threading.Lock in self._lock (line 7)"
    def __init__(self):
        self._lock = threading.Lock()
        self.sent = 0


class GuardedConnection:
    def __init__(self):
        self._lock = threading.Lock()
        self.sent = 0

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()


def connect():
    return Connection()


def connect_guarded():
    return GuardedConnection()
