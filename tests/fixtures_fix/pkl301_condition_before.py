"""PKL301, safe fix: a Condition built on the class's own lock comes back on the new lock."""
# fix-args: (none)
# fixes: PKL301
# before-raises: TypeError "cannot pickle '_thread.lock' object"
import copy
import pickle
import threading


class Mailbox:
    """Waits for messages under a condition that shares the mailbox's lock."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    def put(self, message):
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify()

    def take(self):
        with self._lock:
            return self.messages.pop(0)


def roundtrip():
    box = Mailbox()
    box.put("a")
    for clone in (pickle.loads(pickle.dumps(box)), copy.deepcopy(box)):
        assert clone.messages == ["a"]
        clone.put("b")
        assert clone.take() == "a"
        assert clone._arrived._lock is clone._lock  # the condition is on the clone's own new lock
        assert clone._lock is not box._lock
