import pickle

from flask import request


def old_restore():
    return pickle.loads(request.data)
