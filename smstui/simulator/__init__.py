"""A stateful fake of the SMSGateway24 service, served over real HTTP on loopback.

Used by ``smstui --demo``, the test suite and the benchmarks. No Textual here.

    from smstui.simulator import SimulatorServer, make_state, FakeClock
    with SimulatorServer(make_state(clock=FakeClock(), step_seconds=10)) as sim:
        httpx.post(sim.url + "gettoken", data={"email": sim.email, "pass": sim.password})
"""

from smstui.simulator.clock import Clock, FakeClock, utc_now
from smstui.simulator.faults import KINDS as FAULT_KINDS, Faults
from smstui.simulator.runner import SimulatorError, SimulatorServer, make_state
from smstui.simulator.seed import DEMO_EMAIL, DEMO_PASSWORD
from smstui.simulator.state import SimError, SimState
from smstui.simulator.stats import Stats

__all__ = [
    "Clock",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "FAULT_KINDS",
    "FakeClock",
    "Faults",
    "SimError",
    "SimState",
    "SimulatorError",
    "SimulatorServer",
    "Stats",
    "make_state",
    "utc_now",
]
