"""The webhook receiver: the gateway pushes delivery statuses and incoming messages to a URL.

``smstui webhook serve`` (smstui.cli.webhook) runs it on its own; the app may run it inside.
What lives here: ``payloads`` (strict validation of the two documented shapes into typed
records), ``apply`` (writing them into the profile's store through the sync's upsert paths,
confirming doubtful status claims with ``getsmsstatus``), ``receiver`` (the starlette app: one
unguessable path, capped bodies, a rate limit per source), ``secret`` (that path's secret, a
0600 file beside the token) and ``serve`` (uvicorn on a host and port).

It is core-like: it may import smstui.core, starlette and uvicorn, never Textual, click, rich,
smstui.tui or smstui.cli (an import-linter contract in pyproject.toml says so); the CLI imports
it, not the other way round. Everything that arrives here is untrusted: it came from whoever
knows the URL.
"""
