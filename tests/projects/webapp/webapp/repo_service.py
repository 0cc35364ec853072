import copy
import dataclasses
import pickle
import threading

from .repos import AppConfig, Database, PlainConfig, Repo


def crash_deepcopy_repo_of_a_database():  # raises: TypeError "cannot pickle 'sqlite3.Connection' object"
    return copy.deepcopy(Repo(Database()))  # expect: PKL201@12 "in self.db of webapp.repos.Repo, self.conn of webapp.repos.Database"


def crash_pickle_repo_given_a_lock():  # raises: TypeError "cannot pickle '_thread.lock' object"
    repo = Repo(db=threading.Lock(), name="locked")
    return pickle.dumps(repo)  # expect: PKL202@12 "threading.Lock in self.db of webapp.repos.Repo"


def clean_deepcopy_repo_of_plain_data():
    assert copy.deepcopy(Repo("plain")).db == "plain"


def crash_asdict_of_a_config_with_a_lock():  # raises: TypeError "cannot pickle '_thread.lock' object"
    return dataclasses.asdict(AppConfig("prod"))  # expect: PKL201@12 "threading.Lock in self.reload_lock of webapp.repos.AppConfig"


def clean_asdict_of_a_plain_config():
    assert dataclasses.asdict(PlainConfig("prod"))["retries"] == 3
