"""PKL308: __getattr__ reads a private attribute (``self.__wrapped`` is ``_Wrapper__wrapped``)."""
# fix-args: (none)
# fixes: PKL308
# before-raises: RecursionError
import copy
import pickle


class Wrapper:
    def __init__(self, wrapped):
        self.__wrapped = wrapped

    def __getattr__(self, name):
        try:
            return getattr(self.__dict__["_Wrapper__wrapped"], name)
        except KeyError:
            raise AttributeError(name) from None


def roundtrip():
    wrapper = Wrapper([1, 2, 1])
    assert wrapper.count(1) == 2  # the live object still delegates
    for clone in (pickle.loads(pickle.dumps(wrapper)), copy.deepcopy(wrapper), copy.copy(wrapper)):
        assert clone.count(1) == 2
    assert not hasattr(Wrapper.__new__(Wrapper), "count")
