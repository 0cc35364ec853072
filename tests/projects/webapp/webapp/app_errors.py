"""A project exception base with its own ``__init__`` (a message, a keyword-only status): what it puts
in args is described by the index, so app_error_kinds.py's subclasses are judged by it (probe B)."""


class AppError(Exception):
    def __init__(self, message, *, status=500):
        super().__init__(message)
        self.status = status
