"""smstui — a keyboard-driven terminal client for SMSGateway24."""

__version__ = "0.1.0"
