"""Module-level state that other modules fill: webapp/session_views.py stores the request body in
``SESSIONS`` and in ``LAST_UPLOAD``. Nothing in this module says what is in them: the project index
reads what the other modules store (PKL101, naming the file and line of the source); analysed alone,
their loads are unknown (not trusted because they started empty or ``None``)."""
import pickle

SESSIONS = {}
LAST_UPLOAD = None
#: Filled by no module: what it holds stays unknown, never trusted.
ORPHANS = {}
#: A constant no module rebinds.
DEFAULT_STATE = b"\x80\x04N."


def restore(sid):
    return pickle.loads(SESSIONS[sid])  # expect: PKL101@12 "request.get_data() in webapp/session_views.py"


def restore_last():
    return pickle.loads(LAST_UPLOAD)  # expect: PKL101@12 "request.data in webapp/session_views.py"


def restore_orphan(key):
    return pickle.loads(ORPHANS[key])  # expect: PKL102@12


def restore_default():
    return pickle.loads(DEFAULT_STATE)
