import copy

from .recorders import Recorder


def shallow():
    return copy.copy(Recorder())
