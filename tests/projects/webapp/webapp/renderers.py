"""Bases whose state hooks decide what their subclasses in webapp/render_cache.py pickle with."""
import threading


class Renderer:
    """An allow-list: a subclass's own attributes are left out of the state."""

    def __init__(self, title):
        self.title = title

    def __getstate__(self):
        return {"title": self.title}

    def __setstate__(self, state):
        self.title = state["title"]


class Component:
    """Drops its own lock and keeps the rest of ``__dict__``: a subclass's attributes travel."""

    def __init__(self):
        self._lock = threading.Lock()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()
