"""The pickle module under one name whichever is installed (webapp/roundtrip.py uses it)."""
try:
    import cPickle as pickle
except ImportError:
    import pickle  # noqa: F401
