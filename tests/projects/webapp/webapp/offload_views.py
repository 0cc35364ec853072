"""Views that offload decoding: the decoder runs in another thread, with the request's body."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import request

from .offload import FrameCodec, decode_frame, decode_local

EXECUTOR = ThreadPoolExecutor(max_workers=2)


def upload():
    return EXECUTOR.submit(decode_frame, request.data).result()


async def upload_async():
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, FrameCodec().load, request.get_data())


def replay(path):
    # The silent twin: a file the service wrote itself, on a thread.
    with open(path, "rb") as handle:
        threading.Thread(target=decode_local, args=(handle.read(),)).start()
