"""A request body that reaches pickle.loads through two helpers."""

import pickle

from flask import request


def decode(blob):
    return pickle.loads(blob)


def unpack(payload):
    return decode(payload)


def restore():
    body = request.get_data()
    return unpack(body)
