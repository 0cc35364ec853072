import copy
import pickle

from webapp.metrics_clients import make_metrics, make_offline


def dump_metrics():
    return pickle.dumps(make_metrics())  # expect: PKL202@12 "socket.socket in self.sock of webapp.metrics_clients.make_metrics()"


def copy_metrics():
    client = make_metrics()
    return copy.deepcopy(client)  # expect: PKL201@12 "socket.socket"


def dump_offline():
    return pickle.dumps(make_offline())


def crash_dump_metrics():  # raises: TypeError "cannot pickle 'socket' object"
    dump_metrics()


def crash_copy_metrics():  # raises: TypeError "cannot pickle 'socket' object"
    copy_metrics()


def clean_dump_offline():
    assert pickle.loads(dump_offline()).sock is None
