"""Imports by name for webapp/result_serializers.py (prefect's ``from_qualified_name``)."""
import importlib


def from_qualified_name(name):
    return importlib.import_module(name)
