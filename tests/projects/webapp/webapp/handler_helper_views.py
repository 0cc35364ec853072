from . import handler_helpers
from .handler_base import BaseView, Plain, WireBase


class RestoreView(BaseView):
    """A view under the project's own base class: Django passes the client's request."""
    def post(self, request):
        return handler_helpers.restore_upload(request.body)


class RecordRestorer(Plain):
    def post(self, request):
        return handler_helpers.restore_record(request.body)


class FrameProtocol(WireBase):
    def data_received(self, data):
        return handler_helpers.restore_frame(data)
