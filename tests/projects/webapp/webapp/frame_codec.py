"""Decodes the frames frame_server.py reads: the message names the frame reader it came through,
the same whatever the hash seed (it once depended on set order)."""
import pickle


def decode(payload):
    return pickle.loads(payload)  # expect: PKL101@12 "from self.request in webapp/frame_server.py (line 14) through webapp.framing.recv_frame() reaches pickle.loads"
