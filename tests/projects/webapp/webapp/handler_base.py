"""The project's own bases between its handlers and the framework (webapp/handler_views.py)."""
import asyncio

import tornado.web
from django.views import View


class BaseHandler(tornado.web.RequestHandler):
    def current_user_id(self):
        return self.get_secure_cookie("uid")


class AppHandler(BaseHandler):
    """Two project classes deep."""


class BaseView(View):
    pass


class Plain:
    """Not a handler: its ``post(self, request)`` is called by the project with anything."""


class WireBase(asyncio.Protocol):
    """A protocol base of the project: asyncio calls its subclasses' ``data_received``."""
