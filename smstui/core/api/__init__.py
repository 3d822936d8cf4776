"""The SMSGateway24 API: an async client (client), tolerant parsers (parse) and typed errors (errors)."""
