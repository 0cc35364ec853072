"""Jobs keep their payload on the instance; webapp/job_views.py constructs them with request data."""
import pickle


class Job:
    def __init__(self, payload):
        self.payload = payload

    def run(self):
        return pickle.loads(self.payload)  # expect: PKL101@16 "request.data in webapp/job_views.py (line 10) reaches pickle.loads (line 10) via webapp.jobs.Job.__init__() called at webapp/job_views.py:10", PKL101@16 "request.get_data() in webapp/job_views.py (line 14)"


class RetriedJob(Job):
    """Inherits Job's constructor: constructing it with request data is a caller of Job.__init__."""


class LocalJob:
    def __init__(self, payload):
        self.payload = payload

    def run(self):
        # Only ever constructed with the program's own dump; a parameter still is of unknown origin.
        return pickle.loads(self.payload)  # expect: PKL102@16
