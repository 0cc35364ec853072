"""Containers picked from a registry by name, each rebuilding a payload in a classmethod (BentoML's
shape): the request body comes from webapp/container_views.py."""
import pickle


class Container:
    @classmethod
    def from_payload(cls, payload):
        raise NotImplementedError


class PickleContainer(Container):
    @classmethod
    def from_payload(cls, payload):
        return pickle.loads(payload)  # expect: PKL101@16 "request.get_data() in webapp/container_views.py (line 7) reaches pickle.loads (line 15) via webapp.containers.load_payload() called at webapp/container_views.py:7 -> from_payload()"


REGISTRY = {"pickle": PickleContainer}


def load_payload(payload, kind):
    return REGISTRY[kind].from_payload(payload)
