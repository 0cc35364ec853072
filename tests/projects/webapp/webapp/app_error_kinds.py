"""Subclasses of app_errors.AppError: args holds the message AppError passes on, which their own
``__init__`` takes back only when it is the message itself."""
import pickle

from .app_errors import AppError


class ModelNotFound(AppError):  # expect: PKL302@1 "changes args on each rebuild"
    def __init__(self, name):
        super().__init__(f"model {name!r} not found", status=404)
        self.name = name


class VersionNotFound(AppError):  # expect: PKL302@1 "args holds 1 value, __init__ requires 2"
    def __init__(self, name, version):
        super().__init__(f"model {name}:{version} not found", status=404)


class BadRequest(AppError):
    def __init__(self, message):
        super().__init__(message, status=400)


def crash_model_not_found_message_grows():  # raises: AssertionError "message changed"
    error = pickle.loads(pickle.dumps(ModelNotFound("x")))
    assert error.args == ModelNotFound("x").args, "message changed"


def crash_version_not_found_round_trip():  # raises: TypeError "missing 1 required positional argument: 'version'"
    pickle.loads(pickle.dumps(VersionNotFound("x", "2")))


def clean_bad_request_round_trip():
    assert pickle.loads(pickle.dumps(BadRequest("no"))).args == ("no",)
