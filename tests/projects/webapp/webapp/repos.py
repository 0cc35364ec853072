"""Classes that keep what they are given (webapp/repo_service.py passes resources in)."""
import sqlite3
import threading
from dataclasses import dataclass, field


class Database:  # copied only inside a Repo (webapp/repo_service.py): reported there, at the copy
    def __init__(self):
        self.conn = sqlite3.connect(":memory:")


class Repo:
    def __init__(self, db, name="repo"):
        self.db = db
        self.name = name


@dataclass
class AppConfig:
    name: str
    reload_lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class PlainConfig:
    name: str
    retries: int = 3
