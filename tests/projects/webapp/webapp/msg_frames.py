"""A message read by a classmethod that fills the new object from the connection (Pyro4's ``Message.recv``)."""


class Message:
    def __init__(self, kind=0):
        self.kind = kind
        self.body = b""

    @classmethod
    def recv(cls, connection):
        header = connection.recv(2)
        message = cls(header[0])
        message.body = connection.recv(header[1])
        return message
