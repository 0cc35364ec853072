"""Views comparing the signature with a MAC another module computes (signing.py's ``sign``): it
verifies what it signed, under the module's key; not under a key the request gives (probe B)."""
import hmac
import pickle

from flask import abort, request

from .signing import sign, sign_under
from .verified_store import restore


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


def checked_then_stored():
    # The check in the caller covers what it hands another module's load (probe E: a false PKL101).
    body = request.get_data()
    if not hmac.compare_digest(hmac.new(b"k", body, "sha256").hexdigest(), request.headers["X-Sig"]):
        abort(403)
    return restore(body)


def stored_unchecked():
    return restore(request.data)
