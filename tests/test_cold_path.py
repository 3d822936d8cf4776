"""The first frame's modules build their records cheaply (bench/cold_start.py measures the time).

A NamedTuple in a module with ``from __future__ import annotations`` gets its field types as
strings, and typing compiles each into a ForwardRef when the class is made (~50 µs a field:
~6 ms over the first frame's records). Those modules evaluate their annotations instead; names
only imported for type checking are quoted.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import sys, typing
made = []
original = typing.ForwardRef.__init__
def counting(self, *args, **kwargs):
    frame = sys._getframe(1)
    while frame and frame.f_code.co_filename.endswith(("typing.py", "dataclasses.py")):
        frame = frame.f_back
    if frame and "smstui" in frame.f_code.co_filename:
        made.append(f"{frame.f_code.co_filename}:{frame.f_lineno}")
    return original(self, *args, **kwargs)
typing.ForwardRef.__init__ = counting
import smstui.main, smstui.core.session, smstui.tui.launch, smstui.tui.app, smstui.tui.screens.conversations
print("\n".join(made))
"""


def test_first_frame_modules_make_no_forward_refs() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "", "string annotations compiled at import on the cold path:\n" + done.stdout
