"""Connection types another module's handlers read from (webapp/conn_handlers.py): what each
attribute holds is declared by annotation, a dataclass field or an ``__init__`` parameter (probe E)."""
import socket
from dataclasses import dataclass


@dataclass
class Connection:
    sock: socket.socket
    name: str = ""


class Channel:
    def __init__(self, sock: socket.socket, label: str):
        self.sock = sock
        self.label = label
