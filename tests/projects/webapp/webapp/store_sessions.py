import threading

from webapp import store_cache
from webapp.store_cache import CACHE, PickleCache


class UserSession:  # expect: PKL301@1 "class UserSession holds threading.Lock in self.lock (line 10)"
    def __init__(self, sid):
        self.sid = sid
        self.lock = threading.Lock()


def save(session: UserSession):
    CACHE.set(session.sid, session)  # expect: PKL202@5 "pickle.dumps (in set()) of `session`"


def save_new(sid):
    PickleCache().set(sid, UserSession(sid))  # expect: PKL202@5 "pickle.dumps (in set()) of `UserSession(sid)`"


def save_through_a_function(sid):
    store_cache.remember(sid, UserSession(sid))  # expect: PKL202@5 "pickle.dumps (in set() via remember())"


def save_what_it_says(session: UserSession):
    CACHE.set(session.sid, {"sid": session.sid})


def crash_save():  # raises: TypeError "cannot pickle"
    save(UserSession("s"))


def crash_save_through_a_function():  # raises: TypeError "cannot pickle"
    save_through_a_function("s")


def clean_save_what_it_says():
    save_what_it_says(UserSession("s"))
