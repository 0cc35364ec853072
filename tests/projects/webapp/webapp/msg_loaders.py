"""Loads two calls below a socket accepted in webapp/msg_daemon.py, through another module's factory."""
import pickle


def load_body(body):
    return pickle.loads(body)  # expect: PKL101@12 "listener.accept() in webapp/msg_daemon.py (line 18) reaches pickle.loads (line 6) via webapp.msg_daemon.handle() called at webapp/msg_daemon.py:19 -> webapp.msg_loaders.load_body() called at webapp/msg_daemon.py:10"


def load_saved(body):
    return pickle.loads(body)  # expect: PKL102@12 "argument `body`"


def encoded(state):
    return pickle.dumps(state)


def load_any(body):
    return pickle.loads(body)  # expect: PKL101@12 "input().encode() in webapp/msg_daemon.py (line 27)"
