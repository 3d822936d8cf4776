"""Names a module hands out on first use (PEP 562), so start-up does not pay for them.

Each frozen dataclass costs ~0.7 ms to create (Python generates and compiles its methods), and
the app's first frame needs only a few of the core's records. A module keeps the rest in a
companion module and re-exports them with ``__getattr__ = lazy_names(...)``:
``from smstui.core.models import Message`` works as before and imports the companion then.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any


def lazy_names(module: str, source: str, names: Iterable[str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``module`` that takes ``names`` from ``source`` on first use."""
    wanted = frozenset(names)

    def __getattr__(name: str) -> Any:
        if name not in wanted:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source), name)
        setattr(sys.modules[module], name, value)  # later lookups do not come here
        return value

    return __getattr__
