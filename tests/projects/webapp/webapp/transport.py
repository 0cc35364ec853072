"""Helpers that return request data, and one that returns the program's own bytes."""
import pickle

from flask import request


def read_body():
    return request.get_data()


def cached_blob():
    return pickle.dumps({"answer": 42})


def passthrough(data):
    return data.strip()
