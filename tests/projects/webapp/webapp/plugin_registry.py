"""A plugin registry filled by a decorator from other modules (webapp/plugin_kinds.py)."""
PLUGINS = {}


def register(name):
    def deco(cls):
        PLUGINS[name] = cls
        return cls
    return deco


def create(name):
    return PLUGINS[name]()
