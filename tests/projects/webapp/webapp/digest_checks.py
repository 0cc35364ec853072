"""Check helpers another module calls: a keyed MAC checks the body; an unkeyed digest does not (the
sender computes the same digest of any body it sends); a raising helper over the keyed one checks."""
import hashlib
import hmac

KEY = b"digest-checks-key"


def mac_matches(body, sig):
    expected = hmac.new(KEY, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, sig)


def digest_matches(body, sig):
    return hmac.compare_digest(hashlib.sha256(body).hexdigest(), sig)


def require_mac(body, sig):
    if not mac_matches(body, sig):
        raise PermissionError("bad signature")
