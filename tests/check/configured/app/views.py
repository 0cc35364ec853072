import pickle

from flask import request


def restore():
    return pickle.loads(request.get_data())


def load_cache(blob):
    return pickle.loads(blob)


def load_reviewed(blob):
    return pickle.loads(blob)  # noqa: PKL102


def load_silenced(blob):
    return pickle.loads(blob)  # noqa
