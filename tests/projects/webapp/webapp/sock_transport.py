"""A transport that reads from the socket it is made with (used by webapp/sock_server.py)."""


class SockTransport:
    def __init__(self, sock):
        self.sock = sock

    def read_frame(self):
        return self.sock.recv(65536)
