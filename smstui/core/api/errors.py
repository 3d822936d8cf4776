"""Typed errors of the API client.

Every error carries a message a user can act on (``str(err)``). The outbox needs one more fact:
whether the request may have reached the gateway (``maybe_accepted``). A refused connection
proves it did not; a timeout while waiting for the answer, a dropped connection, an HTTP 5xx or an
unreadable body prove nothing, so such a send must be checked on the gateway before any retry.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base class of everything the client raises."""

    #: True when the gateway may have acted on the request although we got no clean answer.
    maybe_accepted: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AuthError(ApiError):
    """Wrong email/password, or a token the gateway no longer accepts."""


class GatewayError(ApiError):
    """The gateway answered ``error: 1`` (a refusal, with the gateway's own words)."""

    def __init__(self, method: str, gateway_message: str) -> None:
        text = gateway_message.strip() or "no reason given"
        super().__init__(f"The gateway refused {method}: {text}")
        self.method = method
        self.gateway_message = gateway_message


class TransportError(ApiError):
    """No usable answer: network failure, timeout, HTTP error or a body that is not JSON."""

    def __init__(self, message: str, *, kind: str, maybe_accepted: bool, url: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.maybe_accepted = maybe_accepted
        self.url = url


class AccountZoneError(ApiError):
    """A send time cannot be written: the account's zone is unknown and the gateway's dates
    contradict the machine's (nothing was sent; see :mod:`smstui.core.gateway_time`)."""


class ResponseFormatError(TransportError):
    """The gateway answered JSON of a shape we cannot read."""

    def __init__(self, method: str, detail: str, *, url: str = "") -> None:
        super().__init__(
            f"The gateway's answer to {method} could not be read ({detail}). "
            "It may be a temporary fault of the service; try again, and report it if it persists.",
            kind="format",
            maybe_accepted=True,
            url=url,
        )
        self.method = method
        self.detail = detail
