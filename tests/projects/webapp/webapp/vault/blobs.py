"""Loaders re-exported by the package (webapp/vault/__init__.py)."""
import json
import pickle


def thaw(blob):
    return pickle.loads(blob)  # expect: PKL101@12 "request.get_data() in webapp/vault_views.py (line 12) reaches pickle.loads (line 7) via webapp.vault.blobs.thaw() called at webapp/vault_views.py:12"


class Thawer:
    def thaw(self, data):
        return pickle.loads(data)  # expect: PKL101@16 "request.data in webapp/vault_views.py (line 16)"


class Defroster:
    """Made by a factory in the caller's module (``make_defroster()``)."""

    def defrost(self, data):
        return pickle.loads(data)  # expect: PKL101@16 "request.stream.read() in webapp/vault_views.py (line 24)"


class JsonThawer:
    def thaw(self, data):
        return json.loads(data)
