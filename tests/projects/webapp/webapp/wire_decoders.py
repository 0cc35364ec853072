"""Decoders picked by a frame's kind (webapp/wire_dispatch.py decodes what a peer sent with them)."""
import json
import zlib


def _from_json(body):
    return json.loads(body.decode("utf-8"))


def _from_compressed_json(body):
    return json.loads(zlib.decompress(body))


DECODERS = {1: _from_json, 2: _from_compressed_json}


def decode(kind, body):
    decoder = DECODERS[kind]
    return decoder(body)
