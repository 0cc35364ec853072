"""Views that decode with webapp/loader_setup.py's loaders."""
from flask import request

from .loader_setup import decode, safe_decode


def upload():
    return decode(request.data)  # expect: PKL101@12 "request.data"


def upload_json():
    return safe_decode(request.data)
