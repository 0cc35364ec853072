import pickle

from flask import request

from .registry import get_wire, local_wire


def rpc_view():
    wire = get_wire(request.headers)
    return wire.decode(request.get_data())


def local_view(obj):
    return local_wire().decode(pickle.dumps(obj))
