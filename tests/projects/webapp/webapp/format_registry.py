"""Loaders registered by a decorator; webapp/format_views.py picks one by the request's format."""
import json
import pickle

LOADERS = {}


def loader(name):
    def deco(fn):
        LOADERS[name] = fn
        return fn

    return deco


@loader("pickle")
def from_pickle(body):
    return pickle.loads(body)  # expect: PKL101@12 "request.data in webapp/format_views.py (line 7) reaches pickle.loads (line 18) via webapp.format_registry.from_pickle() called at webapp/format_views.py:7"


@loader("json")
def from_json(body):
    return json.loads(body)
