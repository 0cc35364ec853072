"""Views that import the loaders from their package (webapp/vault), and one through a factory of
this module's own that makes the package's object."""
from flask import request

from webapp.vault import Defroster, JsonThawer, Thawer, thaw

import pickle


def restore():
    # Imported from the package, which re-exports it (this module never names where it is defined).
    return thaw(request.get_data())


def restore_object():
    return Thawer().thaw(request.data)


def make_defroster():
    return Defroster()


def restore_through_a_factory():
    return make_defroster().defrost(request.stream.read())


def make_json():
    return JsonThawer()


def json_twin():
    return make_json().thaw(request.data)


def own_dump_twin(obj):
    return thaw(pickle.dumps(obj))
