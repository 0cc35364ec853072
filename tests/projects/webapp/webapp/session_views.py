import pickle

from flask import request

from . import sessions
from .sessions import SESSIONS


def login(sid):
    SESSIONS[sid] = request.get_data()


def upload():
    sessions.LAST_UPLOAD = request.data


def remember_default():
    # A store of trusted data: what the loads of sessions.py are told does not change.
    sessions.LAST_UPLOAD = pickle.dumps(None)
