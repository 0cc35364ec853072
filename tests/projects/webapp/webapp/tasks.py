"""A task runner between the views and the serializers."""
from .serializers import decode_own, decode_payload


def run_task(payload):
    return decode_payload(payload)


def run_own():
    import pickle

    return decode_own(pickle.dumps([1, 2]))
