"""Background work yields the CPU to the UI: a lower priority for the calling thread.

Linux schedules threads, and ``setpriority`` on a thread id changes that thread alone (``nice``
changes only the calling one too). The app's own background threads (the store watcher) take
what the UI's thread leaves; raising a nice value needs no privilege. Elsewhere (macOS, Windows)
a thread id is not a process id, so nothing is changed there.
"""

from __future__ import annotations

import os
import sys
import threading

#: How much lower than the app: the app's background threads and its sync worker process
#: (smstui.core.sync_worker) alike.
BACKGROUND_NICE = 10


def lower_this_thread(by: int = BACKGROUND_NICE) -> bool:
    """Lower the calling thread's priority by ``by`` nice steps (at most to 19); True if done."""
    if not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + by))
    except OSError:  # a sandbox that refuses it: the same priority as the app
        return False
    return True
