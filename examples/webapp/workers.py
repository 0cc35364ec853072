"""Workers that receive pickles over channels nobody authenticates."""
from multiprocessing.connection import Listener

import torch
import zmq


def serve(address):
    with Listener(address) as listener:
        with listener.accept() as conn:
            return conn.recv()


def consume():
    sock = zmq.Context().socket(zmq.PULL)
    sock.connect("tcp://127.0.0.1:5557")
    return sock.recv_pyobj()


def load_checkpoint(path):
    return torch.load(path, map_location="cpu")


def load_weights(path):
    return torch.load(path, weights_only=True)
