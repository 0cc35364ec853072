"""PKL308: __getattr__ raises KeyError and, on a half-built copy, recurses."""
# fix-args: (none)
# fixes: PKL308
# before-raises: RecursionError
import copy
import pickle


class Record:
    def __init__(self, **fields):
        self._data = fields

    def __getattr__(self, name):
        return self._data[name]


def roundtrip():
    record = Record(user="ada")
    for clone in (pickle.loads(pickle.dumps(record)), copy.deepcopy(record)):
        assert clone.user == "ada"
    assert getattr(record, "missing", "default") == "default"
    assert not hasattr(record, "missing")
