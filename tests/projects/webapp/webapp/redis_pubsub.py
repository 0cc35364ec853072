import pickle

import redis

from .pubsub import LocalManager, PubSubManager


class RedisManager(PubSubManager):
    def __init__(self, url):
        self.pubsub = redis.Redis.from_url(url).pubsub()

    def _listen(self):
        for message in self.pubsub.listen():
            yield message["data"]


class QueueManager(LocalManager):
    def __init__(self):
        self.items = []

    def _listen(self):
        for item in self.items:
            yield pickle.dumps(item)
