import yaml

from .yaml_strict import ObjectLoader, StrictLoader


def read_settings(stream):
    return yaml.load(stream, StrictLoader)


def read_objects(stream):
    return yaml.load(stream, Loader=ObjectLoader)  # expect: PKL102@12 "yaml.load on data of unknown origin"
