"""Pickles what webapp/stores.py hands out by name. Each crash_ really raises."""
import pickle

from .stores import get_detached, get_store


def crash_pickle_registry_store():  # raises: TypeError "cannot pickle 'sqlite3.Connection' object"
    pickle.dumps(get_store())  # expect: PKL202@5 "holds sqlite3.connect in self.db of webapp.stores.Store (webapp/stores.py, line 7)"


def clean_pickle_registry_store():
    assert pickle.loads(pickle.dumps(get_detached())).path == ":memory:"
