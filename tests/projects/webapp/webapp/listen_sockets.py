"""Factories of listening sockets, bound to a local name before they are returned (Pyro5's
``socketutil.create_socket``): a call of one gives a socket, whose accepted connections' bytes
are the peer's."""
import socket


def create_socket(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", port))
    sock.listen()
    return sock


def configured_port(port):
    value = int(port)
    return value
