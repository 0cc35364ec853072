"""PKL301, unsafe fix: a socket cannot be recreated; the existing __setstate__ is extended, not duplicated."""
# fix-args: --unsafe-fixes
# fixes: PKL301
# before-raises: TypeError "cannot pickle 'socket' object"
import pickle
import socket


class Connection:
    def __init__(self, host):
        self.host = host
        self.sock = socket.socket()

    def __setstate__(self, state):
        # restore everything that was pickled
        self.__dict__.update(state)


def roundtrip():
    conn = Connection("example.invalid")
    try:
        clone = pickle.loads(pickle.dumps(conn))
    finally:
        conn.sock.close()
    assert clone.host == "example.invalid"
    assert clone.sock is None
