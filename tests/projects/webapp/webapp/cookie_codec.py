"""Session cookies decoded for webapp/middleware.py."""
import base64
import pickle


def decode_session(cookie):
    return pickle.loads(base64.b64decode(cookie))  # expect: PKL101@12 "request in webapp/middleware.py (line 8) reaches pickle.loads (line 7) via webapp.cookie_codec.decode_session() called at webapp/middleware.py:9", PKL101@12 "request in webapp/middleware.py (line 16)"
