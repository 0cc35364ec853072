import copy
import threading

from flask import request
from mylib import serial


def custom():
    return serial.load_blob(request.data)


LOCK = threading.Lock()
COPY = copy.deepcopy(LOCK)
