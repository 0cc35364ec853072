"""Signature helpers that webapp/signed_views.py calls before it loads."""
import hashlib
import hmac
import logging
import os

KEY = os.environ.get("SIGNING_KEY", "dev").encode()


def is_valid(blob, sig):
    return hmac.compare_digest(hmac.new(KEY, blob, hashlib.sha256).hexdigest(), sig)


def require_signature(blob, sig):
    expected = hmac.new(KEY, blob, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sig):
        raise PermissionError("bad signature")


def verified(blob, sig):
    expected = hmac.new(KEY, blob, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sig):
        raise PermissionError("bad signature")
    return blob


def verified_softly(blob, sig):
    expected = hmac.new(KEY, blob, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sig):
        logging.warning("bad signature")  # logs and goes on
    return blob


def sign(blob):
    return hmac.new(KEY, blob, hashlib.sha256).hexdigest()


def sign_under(blob, key):
    return hmac.new(key, blob, hashlib.sha256).hexdigest()
