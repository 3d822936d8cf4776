"""``python -m smstui.simulator``: serve the fake gateway until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading

from smstui.simulator.faults import WebhookFaults
from smstui.simulator.runner import SimulatorError, SimulatorServer, make_state

RULES = """\
Fake phones: Pixel 7 (office, id 11231) and Galaxy A12 (travel, id 1297) are online,
SM-F NIK! (id 260) is offline, so its messages stay New.
Numbers ending in 0000 fail (status 9), ending in 666 are not delivered (8),
ending in 1 or 3 reply after delivery."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m smstui.simulator", description="A fake SMSGateway24 service on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8024, help="0 = any free port")
    parser.add_argument("--seed", choices=("demo", "empty"), default="demo")
    parser.add_argument(
        "--step-seconds", type=float, default=4.0, help="seconds per status step (New, Taken, Sent, Delivered)"
    )
    parser.add_argument(
        "--ambient-seconds", type=float, default=None, help="a contact writes in every this many seconds"
    )
    parser.add_argument(
        "--zone", default=None, help="the account's time zone, e.g. Australia/Sydney (default Europe/Berlin)"
    )
    parser.add_argument(
        "--webhook-url",
        default=None,
        help="POST the phones' delivery-status and incoming-message webhooks to this URL "
        "(as set in the vendor's device settings)",
    )
    for kind in ("lost", "duplicate", "reorder"):
        parser.add_argument(
            f"--webhook-{kind}", type=float, default=0.0, metavar="RATE", help=f"share of webhooks {kind} (0..1)"
        )
    parser.add_argument("--webhook-seed", type=int, default=0, help="seed of the webhook faults")
    args = parser.parse_args(argv)
    try:
        state = make_state(
            step_seconds=args.step_seconds, data=args.seed, ambient_seconds=args.ambient_seconds, zone=args.zone
        )
        faults = WebhookFaults(
            seed=args.webhook_seed,
            lost=args.webhook_lost,
            duplicate=args.webhook_duplicate,
            reorder=args.webhook_reorder,
        )
    except Exception as exc:  # an unknown zone name, a rate past 1: say so, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    server = SimulatorServer(state, host=args.host, port=args.port, webhook_url=args.webhook_url, webhook_faults=faults)
    try:
        server.start()
    except SimulatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"SMSGateway24 simulator at {server.url}")
    print(f"  email: {server.email}   password: {server.password}")
    print(RULES)
    if args.webhook_url:
        print("Webhooks are pushed to the URL given (--webhook-url).")
    print("Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
