"""Serializers: the loads sit here, the request bodies come from webapp/views.py."""
import json
import pickle

loads = pickle.loads


class PickleSerializer:
    def loads(self, data):
        return pickle.loads(data)  # expect: PKL101@16 "request.body in webapp/views.py (line 17) reaches pickle.loads (line 10) via webapp.serializers.PickleSerializer.loads() called at webapp/views.py:17"


class JsonSerializer:
    def loads(self, data):
        return json.loads(data)


def decode_payload(payload):
    return pickle.loads(payload)  # expect: PKL101@12 "request.data in webapp/views.py (line 38) reaches pickle.loads (line 19) via webapp.tasks.run_task() called at webapp/views.py:38 -> webapp.serializers.decode_payload() called at webapp/tasks.py:6"


def decode_own(blob):
    # Every caller in the project passes its own dump: still a parameter, so the origin stays unknown.
    return pickle.loads(blob)  # expect: PKL102@12


def decode_framed(frame):
    return pickle.loads(frame)  # expect: PKL101@12 "request.get_data() in webapp/transport.py (line 8)"
