"""A resource base class of the project (webapp/res_tasks.py derives from it; webapp/res_coord.py sends
the subclass's instances to a process pool)."""
import threading


class Resource:  # expect: PKL301@1 "class Resource holds threading.Lock in self._lock (line 9)"
    def __init__(self, name):
        self.name = name
        self._lock = threading.Lock()


class GuardedResource:
    def __init__(self, name):
        self.name = name
        self._lock = threading.Lock()
