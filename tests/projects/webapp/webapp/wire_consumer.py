import socket

from .wire_registry import decode


def consume():
    conn = socket.create_connection(("broker", 5672))
    return decode(conn.recv(65536), "application/x-python-serialize")
