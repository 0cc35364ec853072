"""Classes whose attributes other modules fill (see holder_views.py): a class attribute set on the
class, an instance attribute set on an instance. What those modules store is what the loads read."""
import pickle


class UploadConfig:
    #: A placeholder: holder_views.py sets it.
    last_blob = None

    @classmethod
    def restore_last(cls):
        return pickle.loads(cls.last_blob)  # expect: PKL101@16 "request.data in webapp/holder_views.py"


class Parcel:
    def __init__(self):
        self.body = b""

    def unpack(self):
        return pickle.loads(self.body)  # expect: PKL101@16 "request.get_data() in webapp/holder_views.py"


class Snapshot:
    def __init__(self):
        self.state = b"\x80\x04N."

    def restore(self):
        # Nothing outside stores in it: the literal it holds is trusted.
        return pickle.loads(self.state)
