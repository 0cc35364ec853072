"""A class holding a lock, copied twice."""

import copy
import threading


class JobConfig:
    def __init__(self, name):
        self.name = name
        self._lock = threading.Lock()


def clone(config: JobConfig):
    return copy.deepcopy(config)


def snapshot():
    label = "ü"; return copy.deepcopy(JobConfig(label))
