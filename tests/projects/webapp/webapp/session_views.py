from flask import request

from .sessions import SESSIONS


def login(sid):
    SESSIONS[sid] = request.get_data()
