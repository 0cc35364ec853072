"""Factories of clients made with a resource (webapp/metrics_export.py pickles what they return): the
class holds nothing itself, the construction call hands it a socket (probe B)."""
import socket


class MetricsClient:
    def __init__(self, sock):
        self.sock = sock


def make_metrics():
    return MetricsClient(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))


def make_offline():
    return MetricsClient(None)
