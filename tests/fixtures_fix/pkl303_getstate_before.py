"""PKL303: __getstate__ deletes from the live __dict__, so pickling breaks the original object."""
# fix-args: (none)
# fixes: PKL303
# before-raises: AttributeError "'Session' object has no attribute '_lock'"
import pickle
import threading


class Session:
    def __init__(self, user):
        self.user = user
        self._lock = threading.Lock()

    def __getstate__(self):
        state = self.__dict__
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def touch(self):
        with self._lock:
            return self.user


def roundtrip():
    session = Session("ada")
    clone = pickle.loads(pickle.dumps(session))
    assert clone.touch() == "ada"
    assert session.touch() == "ada"  # the original still works after being pickled
