import threading


class Journal:  # expect: PKL301@1 "class Journal holds threading.Lock in self._lock (line 7)"
    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
