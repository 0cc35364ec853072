"""Serializers that pick their library by a name (prefect's ``PickleSerializer``, probe D): what
``from_qualified_name`` (webapp/importtools.py) imports is the module named."""
import base64

from .importtools import from_qualified_name


class PickleSerializer:
    picklelib: str = "cloudpickle"

    def loads(self, blob):
        pickler = from_qualified_name(self.picklelib)
        return pickler.loads(base64.decodebytes(blob))  # expect: PKL102@16 "cloudpickle.loads"


class JSONSerializer:
    jsonlib: str = "json"

    def loads(self, blob):
        return from_qualified_name(self.jsonlib).loads(blob)


def load_with(blob, library="pickle"):
    return from_qualified_name(library).loads(blob)  # expect: PKL102@12 "pickle.loads"
