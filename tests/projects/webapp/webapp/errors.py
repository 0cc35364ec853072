"""Exceptions deriving from another module's base (errors_base.py): unpickling rebuilds each from
its args, which their __init__ does not take back."""
import pickle

from .errors_base import ServiceError


class NotFound(ServiceError):  # expect: PKL302@1 "args holds 2 values, __init__ takes 1"
    def __init__(self, resource):
        super().__init__(f"{resource} not found", 404)


class Failed(ServiceError):  # expect: PKL302@1 "args holds 1 value, __init__ requires 2"
    def __init__(self, job_id, reason):
        super().__init__(f"{job_id}: {reason}")


class Gone(ServiceError):
    def __init__(self, resource):
        super().__init__(resource)
        self.resource = resource


def crash_not_found_round_trip():  # raises: TypeError "takes 2 positional arguments but 3 were given"
    pickle.loads(pickle.dumps(NotFound("job")))


def crash_failed_round_trip():  # raises: TypeError "missing 1 required positional argument: 'reason'"
    pickle.loads(pickle.dumps(Failed("7", "timeout")))


def clean_gone_round_trip():
    assert pickle.loads(pickle.dumps(Gone("job"))).resource == "job"
