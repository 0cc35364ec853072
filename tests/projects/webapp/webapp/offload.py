"""Decoders other modules hand to an executor, an event loop or a thread (see offload_views.py)."""
import pickle


def decode_frame(frame):
    return pickle.loads(frame)  # expect: PKL101@12 "request.data in webapp/offload_views.py"


class FrameCodec:
    def load(self, frame):
        return pickle.loads(frame)  # expect: PKL101@16 "request.get_data() in webapp/offload_views.py"


def decode_local(frame):
    return pickle.loads(frame)  # expect: PKL102@12 "argument `frame`"
