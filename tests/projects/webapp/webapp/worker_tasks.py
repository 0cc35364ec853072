"""Jobs a task queue runs in a worker with what the view that queued them passed
(see worker_views.py)."""
import pickle

from celery import shared_task


@shared_task
def restore_session(blob):
    return pickle.loads(blob)  # expect: PKL101@12 "request.get_data() in webapp/worker_views.py"


def rebuild_index(blob):
    return pickle.loads(blob)  # expect: PKL101@12 "incoming.body() in webapp/worker_views.py"


@shared_task
def warm_cache(blob):
    # Queued with the service's own dump only; what else may call it is not known: unknown, not trusted.
    return pickle.loads(blob)  # expect: PKL102@12 "argument `blob`"


@shared_task(bind=True)
def restore_draft(self, blob):
    # A bound task: ``self`` is the task, the view's argument is ``blob``.
    return pickle.loads(blob)  # expect: PKL101@12 "request.get_data() in webapp/worker_views.py"
