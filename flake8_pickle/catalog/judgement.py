"""What a loader's condition (see :mod:`flake8_pickle.catalog.loaders`) says about one call: whether
it loads, and how sure that is."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional, Union

if TYPE_CHECKING:  # pragma: no cover
    from ..scope import Resolver

NOT_LOADER = 0
LOADER = 1
#: A loader whose safety switch is set by a non-literal: report at most PKL102.
LOADER_CAPPED = 2
#: A loader unless its safety switch, set to something of unknown safety, is safe: untrusted
#: data is still PKL101; otherwise PKL102 names the switch, not the data.
LOADER_UNSURE = 3
#: Which verdict wins when a callee may be several things (a loader, or a partial of it).
SEVERITY = {NOT_LOADER: 0, LOADER_CAPPED: 1, LOADER_UNSURE: 2, LOADER: 3}


class Judgement(NamedTuple):
    """What a condition says about one call."""

    verdict: int
    #: For LOADER_UNSURE: the argument (or ``**spread``) whose safety is unknown.
    switch: Optional[ast.AST] = None


Condition = Callable[[ast.Call, "Resolver"], Union[int, Judgement]]
