"""flake8-pickle: untrusted data reaching pickle-family loaders, and objects that cannot be pickled."""

__version__ = "0.1.0"
