from flask import request

from .pickle_compat import pickle


def roundtrip(obj):
    # Its own dump, through the project's alias of the pickle module: trusted.
    return pickle.loads(pickle.dumps(obj))


def from_request():
    return pickle.loads(request.get_data())  # expect: PKL101@12 "request.get_data() (line 12) reaches cPickle.loads"
