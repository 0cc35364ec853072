"""Serializers picked by a function (rq's ``resolve_serializer``): the class it returns has
``pickle.loads`` as its ``loads``; webapp/queue_worker.py calls it on socket data."""
import json
import pickle


class PickleCodec:
    loads = pickle.loads
    dumps = pickle.dumps


class JSONCodec:
    @staticmethod
    def loads(data):
        return json.loads(data)


DefaultCodec = PickleCodec
CODECS = {"json": JSONCodec, "pickle": DefaultCodec}


def resolve_codec(name=None):
    if not name:
        return DefaultCodec
    return CODECS.get(name, JSONCodec)


def json_codec():
    return JSONCodec


def shadowed_codec(DefaultCodec=JSONCodec):
    # The parameter shadows the module's DefaultCodec: this returns whatever the caller passed.
    return DefaultCodec
