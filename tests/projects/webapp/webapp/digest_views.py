import pickle

from flask import abort, request

from .digest_checks import digest_matches, mac_matches, require_mac


def keyed_view():
    body = request.get_data()
    if not mac_matches(body, request.headers["X-Sig"]):
        abort(403)
    return pickle.loads(body)


def digest_view():
    body = request.get_data()
    if not digest_matches(body, request.headers["X-Sig"]):
        abort(403)
    return pickle.loads(body)  # expect: PKL101@12 "request.get_data() (line 16)"


def required_view():
    body = request.get_data()
    require_mac(body, request.headers["X-Sig"])
    return pickle.loads(body)
