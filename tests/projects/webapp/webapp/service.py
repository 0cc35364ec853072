"""Copies, pickles and process hand-offs of other modules' classes. Each crash_ really raises."""
import copy
import multiprocessing
import pickle

from webapp.models import Connection, GuardedConnection, connect, connect_guarded


class PooledConnection(Connection):
    """Inherits the lock: reported where it is copied, and as PKL301 on Connection."""


class GuardedPool(GuardedConnection):
    pass


def crash_deepcopy():  # raises: TypeError "cannot pickle '_thread.lock' object"
    copy.deepcopy(Connection())  # expect: PKL201@5 "holds threading.Lock in self._lock of webapp.models.Connection (webapp/models.py, line 7)"


def crash_pickle_subclass():  # raises: TypeError "cannot pickle '_thread.lock' object"
    pickle.dumps(PooledConnection())  # expect: PKL202@5 "inherited by PooledConnection"


def _work(conn):
    return conn.sent


def crash_spawn_process():  # raises: TypeError "cannot pickle '_thread.lock' object"
    context = multiprocessing.get_context("spawn")
    worker = context.Process(target=_work, args=(Connection(),))  # expect: PKL203@14 "webapp.models.Connection"
    worker.start()
    worker.join()


def clean_deepcopy():
    clone = copy.deepcopy(GuardedConnection())
    assert clone.sent == 0


def clean_pickle_subclass():
    assert pickle.loads(pickle.dumps(GuardedPool())).sent == 0


def clean_spawn_process():
    context = multiprocessing.get_context("spawn")
    worker = context.Process(target=_work, args=(GuardedConnection(),))
    worker.start()
    worker.join()
    assert worker.exitcode == 0


def crash_factory():  # raises: TypeError "cannot pickle '_thread.lock' object"
    copy.deepcopy(connect())  # expect: PKL201@5 "webapp.models.Connection"


def clean_factory():
    copy.deepcopy(connect_guarded())
