"""Views that construct webapp/jobs.py's jobs."""
import pickle

from flask import request

from .jobs import Job, LocalJob, RetriedJob


def submit():
    return Job(request.data).run()


def retry():
    return RetriedJob(payload=request.get_data()).run()


def local():
    return LocalJob(pickle.dumps({"task": "noop"})).run()
