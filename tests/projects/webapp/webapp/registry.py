"""Serializers picked from a registry by a request header (rpc.py's shape): the header and the body
come from webapp/registry_views.py, the load is here."""
import json
import pickle


class JsonWire:
    def decode(self, data):
        return json.loads(data)


class PickleWire:
    def decode(self, data):
        return pickle.loads(data)  # expect: PKL101@16 "request.get_data() in webapp/registry_views.py (line 10) reaches pickle.loads (line 14) via webapp.registry.PickleWire.decode() called at webapp/registry_views.py:10"


WIRES = {"json": JsonWire(), "pickle": PickleWire()}


def get_wire(headers):
    return WIRES.get(headers.get("X-Wire", "json"))


class LocalWire:
    def decode(self, data):
        # Its only caller passes its own dump: still a parameter, so the origin stays unknown.
        return pickle.loads(data)  # expect: PKL102@16


LOCAL_WIRES = {"local": LocalWire()}


def local_wire():
    return LOCAL_WIRES["local"]
