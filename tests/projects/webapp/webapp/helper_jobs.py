"""The source's own helpers hand the data on to webapp/helper_codec.py (a servicer's ``self._runner.run(
request.payload)`` shape): the flow crosses modules after a call inside this one."""
import pickle

from . import helper_codec


def run(payload):
    return helper_codec.decode_job(payload)


def restore(snapshot):
    return helper_codec.decode_snapshot(snapshot)


def main():
    data = input().encode()
    run(data)
    return restore(pickle.dumps({"jobs": []}))
