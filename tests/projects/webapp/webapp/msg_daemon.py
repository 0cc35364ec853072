import pickle
import socket

from . import msg_loaders
from .msg_frames import Message


def handle(conn):
    message = Message.recv(conn)
    return msg_loaders.load_body(message.body)


def replay(state):
    return msg_loaders.load_saved(pickle.dumps(state))


def serve(listener: socket.socket):
    conn, _ = listener.accept()
    return handle(conn)


def replay_any(state):
    return msg_loaders.load_any(msg_loaders.encoded(state))


def read_any():
    return msg_loaders.load_any(input().encode())
