"""Loads that another module reaches through a helper of its own (webapp/helper_jobs.py)."""
import pickle


def decode_job(payload):
    return pickle.loads(payload)  # expect: PKL101@12 "input().encode() in webapp/helper_jobs.py (line 17) reaches pickle.loads (line 6) via webapp.helper_jobs.run() called at webapp/helper_jobs.py:18 -> webapp.helper_codec.decode_job() called at webapp/helper_jobs.py:9"


def decode_snapshot(payload):
    return pickle.loads(payload)  # expect: PKL102@12 "argument `payload`"
