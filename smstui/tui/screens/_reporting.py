"""Worker failures of a screen become notifications (``Worker.StateChanged`` does not bubble)."""

from __future__ import annotations

from textual.worker import Worker


class ReportWorkerErrors:
    """Mix into a Screen so its failed workers are reported by the app, never as tracebacks."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report = getattr(self.app, "report_worker_failure", None)  # type: ignore[attr-defined]
        if report is not None:
            report(event)
