import pickle

from .conn_types import Channel, Connection


def handle(conn: Connection):
    return pickle.loads(conn.sock.recv(4096))  # expect: PKL101@12 "conn.sock.recv(4096)"


def handle_channel(channel: Channel):
    return pickle.loads(channel.sock.recv(4096))  # expect: PKL101@12 "channel.sock.recv(4096)"


def describe(conn: Connection):
    # Twin: a declared attribute that holds no socket.
    return pickle.loads(conn.name.encode())  # expect: PKL102@12
