"""A module-level session store that webapp/session_views.py fills: nothing in this module says what
is in it, so its load is unknown (not trusted because it started empty)."""
import pickle

SESSIONS = {}


def restore(sid):
    return pickle.loads(SESSIONS[sid])  # expect: PKL102@12
