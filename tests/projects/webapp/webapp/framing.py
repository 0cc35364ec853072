"""Length-prefixed frames read from a socket (used by frame_server.py)."""
import struct

HEADER = struct.Struct("!I")


def recv_exact(sock, n):
    return sock.recv(n)


def recv_frame(sock):
    (length,) = HEADER.unpack(recv_exact(sock, 4))
    return recv_exact(sock, length)
