"""Codecs another module gets from a factory here: a construction (``return PickleCodec()``), a
registry of classes called (``return CODECS[fmt]()``), or the registry itself, imported and called
there (webapp/codec_factory_views.py)."""
import json
import pickle


class PickleCodec:
    def decode(self, blob):
        return pickle.loads(blob)  # expect: PKL101@16 "request.data in webapp/codec_factory_views.py (line 9) reaches pickle.loads (line 10) via webapp.codec_factory.PickleCodec.decode() called at webapp/codec_factory_views.py:9", PKL101@16 "request.get_data() in webapp/codec_factory_views.py (line 13)", PKL101@16 "request.stream.read() in webapp/codec_factory_views.py (line 18)", PKL101@16 "request.data in webapp/codec_factory_views.py (line 22)", PKL101@16 "request.data in webapp/codec_factory_views.py (line 32)", PKL101@16 "request.data in webapp/codec_factory_views.py (line 36)"


class JsonCodec:
    def decode(self, blob):
        return json.loads(blob)


CODECS = {"pickle": PickleCodec, "json": JsonCodec}


def get_codec(fmt):
    return CODECS[fmt]()


def get_codec_or_none(fmt):
    return CODECS.get(fmt)()


def get_codec_defaulted(fmt):
    codec_class = CODECS.get(fmt, PickleCodec)
    return codec_class()


def make_pickle():
    return PickleCodec()


class TrustedCodec:
    def decode(self, blob):
        # Only ever given its own dump by its callers, but a parameter: the origin stays unknown.
        return pickle.loads(blob)  # expect: PKL102@16


def make_trusted():
    return TrustedCodec()


TRUSTED = {"local": TrustedCodec}
