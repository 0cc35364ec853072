"""Loads what webapp/mac_views.py hands it: after a MAC check there, and without one."""
import pickle


def restore(blob):
    return pickle.loads(blob)  # expect: PKL101@12 "request.data in webapp/mac_views.py (line 49)"
