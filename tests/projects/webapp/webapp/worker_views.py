"""Views that queue jobs with the request's body: the job's parameters are what the client sent."""
import pickle

from fastapi import BackgroundTasks
from flask import request
from starlette.requests import Request

from .worker_tasks import rebuild_index, restore_draft, restore_session, warm_cache


def resume():
    restore_session.delay(request.get_data())


async def reindex(incoming: Request, tasks: BackgroundTasks):
    tasks.add_task(rebuild_index, await incoming.body())


def warm(defaults):
    # The silent twin: the job gets the service's own dump.
    warm_cache.delay(pickle.dumps(defaults))


def resume_draft():
    restore_draft.apply_async((request.get_data(),))
