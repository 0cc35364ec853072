import marshal
import pickle

from .listen_sockets import configured_port, create_socket


def serve_once(port):
    conn, _ = create_socket(port).accept()
    return marshal.loads(conn.recv(4096))  # expect: PKL101@12 "conn.recv(4096) (line 9)"


def serve_on_configured(port, blob):
    # An int is no socket, and the blob is a parameter: unknown, not the peer's.
    configured_port(port)
    return pickle.loads(blob)  # expect: PKL102@12 "argument `blob`"
