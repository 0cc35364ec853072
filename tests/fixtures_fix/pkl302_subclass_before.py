"""PKL302: the exception formats its message; a subclass takes other arguments, and attributes set later travel."""
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


class StorageQuotaExceeded(QuotaExceeded):
    """Rebuilt from its own args, as before the fix: its __init__ takes one argument."""

    def __init__(self, message):
        Exception.__init__(self, message)
        self.user = None
        self.limit = None


def roundtrip():
    error = QuotaExceeded("ada", 3)
    error.retries = 2
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error), copy.copy(error)):
        assert isinstance(clone, QuotaExceeded)
        assert (clone.user, clone.limit, str(clone), clone.retries) == ("ada", 3, "ada exceeded 3", 2)
    storage = StorageQuotaExceeded("disk full")
    for clone in (pickle.loads(pickle.dumps(storage)), copy.deepcopy(storage)):
        assert type(clone) is StorageQuotaExceeded and str(clone) == "disk full"
