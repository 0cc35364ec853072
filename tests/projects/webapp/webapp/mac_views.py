"""Views comparing the signature with a MAC another module computes (signing.py's ``sign``): it
verifies what it signed, under the module's key; not under a key the request gives (probe B)."""
import hmac
import pickle

from flask import abort, request

from .signing import sign, sign_under


def signed_by_helper():
    body = request.get_data()
    if not hmac.compare_digest(sign(body), request.headers["X-Sig"]):
        abort(403)
    return pickle.loads(body)


def helper_compared_with_eq():
    body = request.get_data()
    if sign(body) != request.headers["X-Sig"]:
        abort(403)
    return pickle.loads(body)


def helper_over_other_data():
    body = request.get_data()
    if not hmac.compare_digest(sign(request.args["nonce"].encode()), request.headers["X-Sig"]):
        abort(403)
    return pickle.loads(body)  # expect: PKL101@12 "request.get_data()"


def key_from_the_request():
    body = request.get_data()
    if not hmac.compare_digest(sign_under(body, request.headers["X-Key"].encode()), request.headers["X-Sig"]):
        abort(403)
    return pickle.loads(body)  # expect: PKL101@12 "request.get_data()"
