"""The simulator in its own process for bench/webhook_latency.py (as a real gateway would be):
its phones receive messages on demand and it hands back each one's webhook body.

    python bench/apps/push_sim.py

Prints the API URL once it listens; then each line read on stdin is the text of a message the
office phone receives from Anna, answered with one line: the incoming-message webhook's JSON
(built by smstui.simulator.webhooks, as the simulator's own sender builds it). The bench POSTs
it itself, so it knows the instant it was sent. Ends when stdin closes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from smstui.simulator.runner import SimulatorServer, make_state  # noqa: E402
from smstui.simulator.seed import OFFICE_PHONE  # noqa: E402
from smstui.simulator.webhooks import incoming_payload  # noqa: E402

ANNA = "+4915123456781"


def main() -> None:
    state = make_state(step_seconds=4.0, data="empty")
    state.add_incoming(OFFICE_PHONE, ANNA, "Hi, are you there?")
    with SimulatorServer(state) as sim:
        print(sim.url, flush=True)
        for line in sys.stdin:
            with state.lock:
                m = state.add_incoming(OFFICE_PHONE, ANNA, line.rstrip("\n"))
                print(json.dumps(incoming_payload(state, m)), flush=True)


if __name__ == "__main__":
    main()
