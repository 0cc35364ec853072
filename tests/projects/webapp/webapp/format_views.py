from flask import request

from .format_registry import LOADERS


def by_format():
    return LOADERS[request.args.get("fmt", "json")](request.data)
