import asyncio
import pickle

from . import wire_decoders


class WireProtocol(asyncio.Protocol):
    def __init__(self):
        self._handlers = {"restore": self._restore}

    def data_received(self, data):
        message = wire_decoders.decode(data[0], data[1:])
        handler = self._handlers[message["op"]]
        return handler(message)  # expect: PKL101@16 "data received by data_received() (line 11) through webapp.wire_decoders.decode()"

    def _restore(self, message):
        # A hex-encoded pickle inside the peer's JSON: the peer's bytes.
        return pickle.loads(bytes.fromhex(message["blob"]))


def restore_snapshot(path):
    # The same decoders over a local file: whatever wrote the file, not a peer (unknown origin).
    with open(path, "rb") as handle:
        message = wire_decoders.decode(1, handle.read())
    return pickle.loads(bytes.fromhex(message["blob"]))  # expect: PKL102@12 "unknown origin"
