"""A lock-holding class that other modules only copy shallowly (recorder_views.py): ``copy.copy``
shares the lock with the copy and works, so nothing is reported here or there."""
import threading


class Recorder:
    def __init__(self):
        self._lock = threading.RLock()
        self.lines = []
