"""The simulator with the generated history, in its own process (as a real gateway would be).

    python bench/apps/sim_server.py SIZE [LATENCY_SECONDS]

Prints the API URL on one line once it listens, then serves until its stdin closes. A UI bench
uses this rather than an in-process simulator, whose JSON rendering would compete with the app
for the GIL and show up as the app's own stalls.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.generate import NOW, fill_simulator, history  # noqa: E402
from smstui.simulator.clock import FakeClock  # noqa: E402
from smstui.simulator.runner import (
    SimulatorServer,  # noqa: E402
    make_state,  # noqa: E402
)


def main() -> None:
    size = int(sys.argv[1])
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    state = make_state(clock=FakeClock(datetime.fromtimestamp(NOW, UTC)), data="empty")
    fill_simulator(state, history(size))
    with SimulatorServer(state) as sim:
        if latency > 0:
            sim.faults.set("latency", seconds=latency)
        print(sim.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)


if __name__ == "__main__":
    main()
