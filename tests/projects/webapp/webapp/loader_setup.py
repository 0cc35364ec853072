"""A loader chosen at start-up: ``use_pickle()`` rebinds the module's ``decode`` through a ``global``
statement, so webapp/loader_views.py's ``decode`` may be ``pickle.loads``."""
import json

decode = json.loads
safe_decode = json.loads


def use_pickle():
    global decode
    import pickle

    decode = pickle.loads
