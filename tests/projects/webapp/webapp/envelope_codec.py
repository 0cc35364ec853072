"""Decodes envelopes for webapp/envelopes.py."""
import pickle


def decode_body(data):
    return pickle.loads(data)  # expect: PKL101@12 "sock.recv(65536) in webapp/envelope_consumer.py (line 8) reaches pickle.loads (line 6) via webapp.envelopes.Envelope.open() called at webapp/envelope_consumer.py:8 -> webapp.envelope_codec.decode_body() called at webapp/envelopes.py:9"
