"""A lock that says "this bulk job is being sent by a process right now", across processes.

The app, ``smstui bulk --resume`` and ``smstui sync`` may all want to continue one interrupted
job; two of them sending its queued rows at once would send them twice. The running process
holds the job's file lock (:class:`smstui.core.file_lock.FileLock`, beside the store) for as
long as it runs the job.
"""

from __future__ import annotations

from pathlib import Path

from smstui.core.file_lock import FileLock


class JobLock(FileLock):
    """``acquire()`` without waiting: True when this process now runs the job."""

    def __init__(self, store_path: Path, job_id: str) -> None:
        super().__init__(store_path.with_name(f"{store_path.name}.bulk-{job_id}.lock"))


__all__ = ["JobLock"]
