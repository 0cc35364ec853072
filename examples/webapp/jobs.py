"""A job runner whose config holds a lock: copies and pools crash on it."""
import copy
import multiprocessing
import threading


class JobConfig:
    def __init__(self, name):
        self.name = name
        self._lock = threading.Lock()

    def run(self, item):
        with self._lock:
            return f"{self.name}:{item}"


def clone_config(config: JobConfig):
    return copy.deepcopy(config)


def run_all(items):
    config = JobConfig("nightly")
    with multiprocessing.Pool(4) as pool:
        return pool.map(config.run, items)
