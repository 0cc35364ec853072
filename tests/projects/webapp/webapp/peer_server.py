import asyncio

from . import peer_handlers


async def serve():
    server = await asyncio.start_server(peer_handlers.handle_client, "0.0.0.0", 9000)
    other = await asyncio.start_server(peer_handlers.handle_json, "0.0.0.0", 9001)
    await asyncio.gather(server.serve_forever(), other.serve_forever())
