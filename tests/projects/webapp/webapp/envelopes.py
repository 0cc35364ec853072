from . import envelope_codec


class Envelope:
    def __init__(self, body):
        self.body = body

    def open(self):
        return envelope_codec.decode_body(self.body)
