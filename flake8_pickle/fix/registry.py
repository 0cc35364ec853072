"""The codemods, in the order they run (one class per fix; later fixes see earlier rewrites).

Order matters where fixes meet: PKL303 and PKL308 repair existing methods
(PKL304 then drops resources from a ``__getstate__`` that no longer changes
``self.__dict__``); PKL302 gives an exception a ``__reduce__`` before PKL301 would add one of its
own; loader rewrites touch only calls. To add a fix, write a
:class:`~flake8_pickle.fix.base.FixCodemod` subclass and list it here; the
registry test checks its codes and safeties against ``rules.py``.
"""

from __future__ import annotations

from typing import Tuple, Type

from .base import FixCodemod
from .getstate_drop import GetstateDropFix
from .loaders import NumpyLoadFix, TorchLoadFix, YamlLoadFix
from .protocol_fixes import ExceptionReduceFix, GetattrErrorFix, GetstateCopyFix
from .resource_state import ResourceStateFix

CODEMODS: Tuple[Type[FixCodemod], ...] = (
    GetstateCopyFix,
    GetstateDropFix,
    GetattrErrorFix,
    ExceptionReduceFix,
    ResourceStateFix,
    TorchLoadFix,
    YamlLoadFix,
    NumpyLoadFix,
)
