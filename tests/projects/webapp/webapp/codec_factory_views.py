import pickle

from flask import request

from .codec_factory import CODECS, TRUSTED, get_codec, make_pickle, make_trusted


def by_factory():
    return get_codec(request.args["fmt"]).decode(request.data)


def by_construction():
    return make_pickle().decode(request.get_data())


def by_registry():
    codec = CODECS.get(request.args["fmt"])()
    return codec.decode(request.stream.read())


def by_subscript():
    return CODECS[request.args["fmt"]]().decode(request.data)


def trusted_twins(obj):
    make_trusted().decode(pickle.dumps(obj))
    return TRUSTED["local"]().decode(pickle.dumps(obj))
