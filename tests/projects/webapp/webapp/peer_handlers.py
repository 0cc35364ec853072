"""Connection handlers another module registers with the server library (peer_server.py): what
the library passes them is what the peer sent."""
import json
import pickle


async def handle_client(reader, writer):
    data = await reader.read(65536)
    writer.write(repr(pickle.loads(data)).encode())  # expect: PKL101@23 "what asyncio.start_server passes its callback in webapp/peer_server.py"


async def handle_json(reader, writer):
    data = await reader.read(65536)
    writer.write(json.dumps(json.loads(data)).encode())


def restore_defaults(defaults):
    # Nothing registers this one: its argument is of unknown origin.
    return pickle.loads(defaults)  # expect: PKL102@12 "argument `defaults`"
