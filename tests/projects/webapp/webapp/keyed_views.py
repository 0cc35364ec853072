from flask import request

from . import keyed_codec
from .signing import KEY


def partner_import():
    # The partner sends its key with the request: anyone can sign anything.
    key = request.headers["X-Partner-Key"].encode()
    return keyed_codec.unpack_with_key(request.get_data(), request.args["sig"], key)


def internal_import():
    mac = bytes.fromhex(request.args["sig"])
    return keyed_codec.unpack_with_configured_key(request.get_data(), mac, KEY)
