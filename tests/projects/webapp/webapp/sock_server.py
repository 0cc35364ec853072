import io
import pickle
import socketserver

from .sock_transport import SockTransport


class FrameHandler(socketserver.BaseRequestHandler):
    def handle(self):
        return pickle.loads(SockTransport(self.request).read_frame())  # expect: PKL101@16 "self.request (line 10) through webapp.sock_transport.SockTransport.read_frame()"


def replay(obj):
    # Another module's object made of its own dump: what else its constructor does is not known here.
    return pickle.loads(SockTransport(io.BytesIO(pickle.dumps(obj))).read_frame())  # expect: PKL102@12
