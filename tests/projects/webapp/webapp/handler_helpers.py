"""Helpers the views of webapp/handler_helper_views.py hand the request's body to."""
import pickle


def restore_upload(body):
    return pickle.loads(body)  # expect: PKL101@12 "request in webapp/handler_helper_views.py (line 7)"


def restore_record(body):
    return pickle.loads(body)  # expect: PKL102@12 "argument `body`"


def restore_frame(frame):
    return pickle.loads(frame)  # expect: PKL101@12 "data received by data_received() in webapp/handler_helper_views.py (line 17)"
