"""Subclasses of webapp/cache.py's classes: each override is what the base class's
``self.method(...)`` runs on their instances."""
import json
import pickle

from .cache import BaseCache, Snapshots


class PickleCache(BaseCache):
    def deserialize_value(self, raw):
        return pickle.loads(raw)  # expect: PKL101@16 "self.conn.recv(4096) in webapp/cache.py (line 12) reaches pickle.loads (line 11) via webapp.backends.PickleCache.deserialize_value() called at webapp/cache.py:12", PKL101@16 "request.data in webapp/cache_views.py (line 9) reaches pickle.loads (line 11) via webapp.cache.BaseCache.restore() called at webapp/cache_views.py:9 -> webapp.backends.PickleCache.deserialize_value() called at webapp/cache.py:15", PKL101@16 "request.get_data() in webapp/cache_views.py (line 17)"


class CompressedPickleCache(PickleCache):
    """A grandchild: it inherits the override above, so it adds no load of its own."""


class JsonCache(BaseCache):
    def deserialize_value(self, raw):
        return json.loads(raw)


class PickleSnapshots(Snapshots):
    def load_snapshot(self, blob):
        # The base class passes only its own dump, but the parameter stays a parameter: unknown.
        return pickle.loads(blob)  # expect: PKL102@16


class LeafCache(CompressedPickleCache):
    def deserialize_value(self, raw):
        # Only what a LeafCache runs reaches it: the views restore PickleCache and
        # CompressedPickleCache instances, which run PickleCache's override instead.
        return pickle.loads(raw)  # expect: PKL101@16 "self.conn.recv(4096) in webapp/cache.py (line 12) reaches pickle.loads (line 33) via webapp.backends.LeafCache.deserialize_value() called at webapp/cache.py:12"
