"""Views: the request data enters here and is loaded in other modules."""
import io
import pickle

from flask import request

from webapp import JsonSerializer, PickleSerializer
from webapp.compat import SafeUnpickler, Unpickler
from webapp.serializers import loads

from . import serializers
from .tasks import run_task
from .transport import cached_blob, passthrough, read_body


def upload():
    PickleSerializer().loads(request.body)
    JsonSerializer().loads(request.body)


def alias():
    return loads(request.get_data())  # expect: PKL101@12 "request.get_data() (line 22) reaches pickle.loads"


def module_alias():
    return serializers.loads(request.get_data())  # expect: PKL101@12 "reaches pickle.loads"


def helper_source():
    return pickle.loads(read_body())  # expect: PKL101@12 "request.get_data() in webapp/transport.py (line 8) through webapp.transport.read_body() reaches pickle.loads"


def helper_trusted():
    return pickle.loads(cached_blob())


def task():
    return run_task(request.data)


def through_helper():
    return pickle.loads(passthrough(request.data))  # expect: PKL101@12 "request.data (line 42) through webapp.transport.passthrough() reaches pickle.loads"


def unpickler():
    return Unpickler(io.BytesIO(request.data)).load()  # expect: PKL101@12 "reaches pickle.Unpickler.load"


def restricted():
    return SafeUnpickler(io.BytesIO(request.data)).load()


def framed():
    return serializers.decode_framed(read_body())
