"""PKL304: __getstate__ keeps a list whose elements hold what cannot be pickled; the fix brings back an
empty list (its __init__ value), never None: the methods that append to it still work."""
# fix-args: --unsafe-fixes
# fixes: PKL304
# before-raises: TypeError "cannot pickle"
import copy
import pickle
import threading


class Resolver:
    def __init__(self):
        self.pending = []
        self.name = "resolver"

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("pending", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.pending = []

    def query(self, question):
        self.pending.append((threading.Lock(), question))
        return len(self.pending)


def roundtrip():
    resolver = Resolver()
    resolver.query("a")
    for clone in (pickle.loads(pickle.dumps(resolver)), copy.deepcopy(resolver)):
        assert clone.name == "resolver"
        assert clone.query("b") == 1
