"""Class-protocol findings and their related places (SARIF relatedLocations)."""
import copy
import multiprocessing
import pickle


class QuotaError(Exception):
    def __init__(self, user, limit):
        super().__init__(f"{user} is over {limit}")
        self.user = user


class Lazy:
    def __init__(self):
        self._data = {}

    def __getattr__(self, name):
        return self._data[name]


class Strict(pickle.Unpickler):
    def find_class(self, module, name):
        return super().find_class(module, name)


def report(error: QuotaError):
    return pickle.dumps(QuotaError("ann", 3))


def clone():
    return copy.deepcopy(Lazy())


def run(items):
    def double(item):
        return item * 2

    with multiprocessing.Pool() as pool:
        return pool.map(double, items)
