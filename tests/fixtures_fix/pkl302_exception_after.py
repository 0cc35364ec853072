"""PKL302: the exception formats its message, so `type(e)(*e.args)` cannot rebuild it."""
# fix-args: (none)
# fixes: PKL302
# before-raises: TypeError "missing 1 required positional argument: 'limit'"
import copy
import pickle


class QuotaExceeded(Exception):
    def __init__(self, user, limit):
        super().__init__(f"{user} exceeded {limit}")
        self.user = user
        self.limit = limit

    def __reduce__(self):
        if type(self) is not __class__:
            return super().__reduce__()
        return (self.__class__, (self.user, self.limit), self.__dict__)


def roundtrip():
    error = QuotaExceeded("ada", 3)
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error), copy.copy(error)):
        assert isinstance(clone, QuotaExceeded)
        assert (clone.user, clone.limit, str(clone)) == ("ada", 3, "ada exceeded 3")
