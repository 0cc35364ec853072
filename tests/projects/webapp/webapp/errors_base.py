"""The project's exception base: plain, so its subclasses in errors.py rebuild as Exception does."""


class ServiceError(Exception):
    pass
