from flask import request

from .containers import load_payload


def container_view():
    return load_payload(request.get_data(), request.headers["X-Container"])
