"""Views over the caches of webapp/backends.py: the request data is loaded by the override
that ``BaseCache.restore``'s ``self.deserialize_value(...)`` runs on each instance."""
from flask import request

from .backends import CompressedPickleCache, JsonCache, PickleCache


def cache_restore():
    return PickleCache(("cache", 11211)).restore(request.data)


def json_cache_restore():
    return JsonCache(("cache", 11211)).restore(request.data)


def compressed_cache_restore():
    return CompressedPickleCache(("cache", 11211)).restore(request.get_data())
