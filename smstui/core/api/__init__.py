"""The SMSGateway24 API: an async client, tolerant parsers and typed errors (no Textual)."""

from smstui.core.api.client import DEFAULT_API_URL, GatewayClient, ImageUpload
from smstui.core.api.errors import ApiError, AuthError, GatewayError, ResponseFormatError, TransportError

__all__ = [
    "DEFAULT_API_URL",
    "ApiError",
    "AuthError",
    "GatewayClient",
    "GatewayError",
    "ImageUpload",
    "ResponseFormatError",
    "TransportError",
]
