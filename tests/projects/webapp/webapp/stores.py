"""Stores kept in a registry and handed out by name; webapp/store_service.py pickles what it gets."""
import sqlite3


class Store:  # expect: PKL301@1 "class Store holds sqlite3.connect in self.db (line 7)"
    def __init__(self, path):
        self.db = sqlite3.connect(path)


class DetachedStore:
    def __init__(self, path):
        self.path = path
        self.db = sqlite3.connect(path)

    def __getstate__(self):
        return {"path": self.path}

    def __setstate__(self, state):
        self.__init__(state["path"])


_STORES = {"main": Store(":memory:")}
_DETACHED = {"main": DetachedStore(":memory:")}


def get_store(name="main"):
    return _STORES[name]


def get_detached(name="main"):
    return _DETACHED.get(name)
