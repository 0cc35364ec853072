import socket

from .envelopes import Envelope


def consume():
    sock = socket.create_connection(("broker", 5672))
    return Envelope(sock.recv(65536)).open()
