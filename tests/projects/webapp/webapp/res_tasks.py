from .res_base import GuardedResource, Resource


class ShellTask(Resource):
    def __init__(self, argv):
        super().__init__("shell")
        self.argv = argv


class GuardedTask(GuardedResource):
    """Drops the lock its base holds when pickled: its base is not handed with it."""

    def __init__(self, argv):
        super().__init__("guarded")
        self.argv = argv

    def __getstate__(self):
        return {"name": self.name, "argv": self.argv}

    def __setstate__(self, state):
        self.__init__(state["argv"])


def execute(task):
    return task.argv
