"""Decodes what frame_workers.py's methods hand on."""
import hashlib
import pickle


def restore(blob):
    return pickle.loads(blob)  # expect: PKL101@12 "frame_workers.py (line 18)", PKL101@12 "frame_workers.py (line 23)", PKL101@12 "frame_workers.py (line 27)"


def fingerprint(blob):
    return hashlib.sha256(blob).hexdigest()
