"""A cache that pickles what it is given (webapp/store_sessions.py hands it sessions)."""
import pickle


class PickleCache:
    def __init__(self):
        self._data = {}

    def set(self, key, value):
        self._data[key] = pickle.dumps(value)

    def get(self, key):
        return self._data.get(key)


CACHE = PickleCache()


def remember(key, value):
    CACHE.set(key, value)
