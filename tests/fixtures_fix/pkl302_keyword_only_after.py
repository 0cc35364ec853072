"""PKL302, safe fix: keyword-only parameters come back through functools.partial."""
# fix-args: (none)
# fixes: PKL302
# before-raises: TypeError "missing 1 required keyword-only argument: 'source'"
import copy
import pickle
import functools


class NotFound(LookupError):
    def __init__(self, key, *, source, retry=False):
        super().__init__(f"{key} not found in {source}")
        self.key = key
        self.source = source
        self.retry = retry

    def __reduce__(self):
        if type(self) is not __class__:
            return super().__reduce__()
        return (functools.partial(self.__class__, source=self.source, retry=self.retry), (self.key,), self.__dict__)


def roundtrip():
    error = NotFound("user:1", source="cache", retry=True)
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error), copy.copy(error)):
        assert isinstance(clone, NotFound)
        assert (clone.key, clone.source, clone.retry) == ("user:1", "cache", True)
        assert str(clone) == "user:1 not found in cache"
