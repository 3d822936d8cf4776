"""smstui's log: one rotating file in platformdirs' user log dir (1 MB, 3 old files kept), 0600.

:func:`set_up_logging` is called once by each entry point: the CLI's group, and the app after
its first frame (``logging.handlers`` and what it imports cost ~5 ms of a cold start). Until
then :func:`hold_records` keeps what is logged in memory, so nothing from the start-up is lost
and nothing reaches the terminal under the app. Only smstui's own loggers (``smstui.*``) write
there, at INFO (DEBUG with ``SMSTUI_DEBUG=1``); no module logs secrets (tokens, passwords are
:class:`smstui.core.secrets.Secret`, whose repr and str hide them), and tests check the file.

Messages that send the user to the log name the file: :func:`see_the_log`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from smstui.core import paths

LOG_FILE_NAME = "smstui.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
ENV_DEBUG = "SMSTUI_DEBUG"
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
HELD_LIMIT = 1000  # records kept before the file is set up; a start-up logs a handful

_logger = logging.getLogger("smstui")
_handler: logging.Handler | None = None


def log_file() -> Path:
    """The current log file (its directory is made 0700 if missing)."""
    return paths.log_dir() / LOG_FILE_NAME


def see_the_log() -> str:
    """``see the log: /path/to/smstui.log`` for messages about unexpected failures."""
    try:
        return f"see the log: {log_file()}"
    except OSError:  # the log directory cannot be made: there is no log to point at
        return f"and no log could be written ({LOG_FILE_NAME} in the user log directory)"


class _Held(logging.Handler):
    """Keeps records in memory until :func:`set_up_logging` writes them to the file."""

    def __init__(self) -> None:
        super().__init__(_level())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < HELD_LIMIT:
            self.records.append(record)


def _level() -> int:
    return logging.DEBUG if os.environ.get(ENV_DEBUG, "").strip() not in ("", "0") else logging.INFO


def _let_records_through() -> None:
    # The handler's level decides what is written; the logger lets everything through, so
    # another handler (a test's caplog at DEBUG) is not cut off by ours.
    if _logger.getEffectiveLevel() > logging.DEBUG:
        _logger.setLevel(logging.DEBUG)


def hold_records() -> None:
    """Keep smstui's log records in memory until :func:`set_up_logging` (cheap: no file, no
    ``logging.handlers``). A no-op once the file is set up."""
    global _handler
    if _handler is None:
        _handler = _Held()
        _logger.addHandler(_handler)
        _let_records_through()


def set_up_logging() -> Path | None:
    """Log smstui's records to :func:`log_file` from now on; returns the file, or None when it
    cannot be written (smstui then runs without a log, as before).

    Idempotent: called again for the same file it does nothing; for another file (the log
    directory moved: tests, ``SMSTUI_DATA_DIR``) the old handler is closed and replaced.
    """
    global _handler
    try:
        file = log_file()
    except OSError:
        return None
    current = _handler
    if isinstance(current, logging.FileHandler) and current.baseFilename == str(file.absolute()):
        current.setLevel(_level())  # SMSTUI_DEBUG may have changed (tests run many commands)
        return file
    try:
        handler = _private_rotating_handler(file)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(_level())
    if current is not None:
        _logger.removeHandler(current)
        current.close()
    _logger.addHandler(handler)
    _let_records_through()
    _handler = handler
    if isinstance(current, _Held):
        for record in current.records:
            if record.levelno >= handler.level:
                handler.handle(record)
    return file


def _private_rotating_handler(file: Path) -> logging.Handler:
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        """A RotatingFileHandler whose files (the new one after each rotation too) are 0600:
        the log names phone numbers and accounts."""

        def _open(self) -> Any:
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    return PrivateRotatingFileHandler(file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")


__all__ = ["hold_records", "log_file", "see_the_log", "set_up_logging"]
