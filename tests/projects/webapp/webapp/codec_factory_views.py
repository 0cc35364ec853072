import pickle

from flask import request

from .codec_factory import CODECS, TRUSTED, get_codec, get_codec_defaulted, get_codec_or_none, make_pickle, make_trusted


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


def by_lookup_factory():
    # ``CODECS.get(fmt)()`` in the factory (probe B: PKL102, the lookup's call was not read).
    return get_codec_or_none(request.args["fmt"]).decode(request.data)


def by_defaulted_factory():
    return get_codec_defaulted(request.args["fmt"]).decode(request.data)
