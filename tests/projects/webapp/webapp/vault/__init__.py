"""A package that re-exports its loaders: callers import them from here (webapp/vault_views.py) and
never name the module that defines them."""
from .blobs import Defroster, JsonThawer, Thawer, thaw

__all__ = ["Defroster", "JsonThawer", "Thawer", "thaw"]
