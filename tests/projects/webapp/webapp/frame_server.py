"""A socketserver handler reading frames (framing.py) and decoding them (frame_codec.py)."""
import socketserver

from . import frame_codec
from .framing import recv_frame


class FrameHandler(socketserver.BaseRequestHandler):
    def handle(self):
        frame_codec.decode(self.read())

    def read(self):
        # The framing module's reader returns what the socket sent; the message names it.
        return recv_frame(self.request)
