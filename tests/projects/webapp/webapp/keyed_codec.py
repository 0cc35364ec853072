"""Loads behind an HMAC check whose key the caller passes (webapp/keyed_views.py): the check is only
as good as whoever picks the key."""
import hashlib
import hmac
import pickle


def unpack_with_key(body, signature, key):
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise PermissionError("bad signature")
    return pickle.loads(body)  # expect: PKL101@12 "request.get_data() in webapp/keyed_views.py (line 10)"


def unpack_with_configured_key(payload, mac, secret):
    if hmac.new(secret, payload, "sha256").digest() != mac:
        raise PermissionError("bad signature")
    return pickle.loads(payload)
