"""A manager whose base class loads what ``self._listen()`` yields, and whose subclasses, in
webapp/redis_pubsub.py, say what that is (python-socketio's shape)."""
import pickle


class PubSubManager:
    def _listen(self):
        raise NotImplementedError

    def _thread(self):
        for message in self._listen():
            if isinstance(message, bytes):
                data = pickle.loads(message)  # expect: PKL101@24 "self.pubsub.listen() in webapp/redis_pubsub.py (line 13) through webapp.redis_pubsub.RedisManager._listen() reaches pickle.loads"
                self._handle(data)

    def _handle(self, data):
        pass


class LocalManager:
    def _listen(self):
        return []

    def _thread(self):
        for message in self._listen():
            # Every subclass's _listen yields this process's own dumps.
            self._handle(pickle.loads(message))

    def _handle(self, data):
        pass
