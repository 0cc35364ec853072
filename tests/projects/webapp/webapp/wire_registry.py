"""A serializer registry and its bound method exported under a plain name (kombu's shape)."""
import json
import pickle


class WireRegistry:
    def __init__(self):
        self._decoders = {"application/x-python-serialize": pickle.loads, "application/json": json.loads}

    def decode(self, data, content_type):
        return self._decoders[content_type](data)  # expect: PKL101@16 "conn.recv(65536) in webapp/wire_consumer.py (line 8)"


registry = WireRegistry()
decode = registry.decode
