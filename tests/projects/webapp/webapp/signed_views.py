import pickle

from flask import abort, request

from . import signing
from .signing import require_signature, verified, verified_softly


def by_predicate():
    body = request.get_data()
    if not signing.is_valid(body, request.headers["X-Sig"]):
        abort(403)
    return pickle.loads(body)


def by_assertion():
    body = request.get_data()
    require_signature(body, request.headers["X-Sig"])
    return pickle.loads(body)


def by_returned_value():
    return pickle.loads(verified(request.get_data(), request.headers["X-Sig"]))


def by_soft_check():
    return pickle.loads(verified_softly(request.get_data(), request.headers["X-Sig"]))  # expect: PKL101@12 "request.get_data()"


def assertion_of_other_data():
    body = request.get_data()
    require_signature(request.args["token"].encode(), request.headers["X-Sig"])
    return pickle.loads(body)  # expect: PKL101@12 "request.get_data()"
