"""The simulator's HTTP face: a Starlette app serving ``/getdata/<method>`` like the real service.

Work on the state runs in a worker thread so a big ``getallsms`` does not stall other requests.
Faults are applied here, because they are about the wire, not the gateway's logic.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from smstui.simulator.faults import Faults
from smstui.simulator.handlers import Call, Upload, canonical, dispatch
from smstui.simulator.state import SimError, SimState
from smstui.simulator.stats import Stats

MAX_FORM_PART = 64 * 1024 * 1024  # addalotofsms sends every message in one field

HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
MALFORMED_JSON = b'{"error":0,"smss":{"62807348":{"id":62807348,"sendto":"+4915'


class DeliberateDrop(Exception):
    """Raised after a partial response so uvicorn closes the socket (a fault, not a bug)."""


class _HideDeliberateDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, DeliberateDrop):
                return False
            if isinstance(exc, BaseExceptionGroup) and any(isinstance(e, DeliberateDrop) for e in exc.exceptions):
                return False
            exc = exc.__cause__ or exc.__context__
        return True


_drop_filter = _HideDeliberateDrops()


def quiet_deliberate_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if _drop_filter not in logger.filters:
        logger.addFilter(_drop_filter)


class DroppedResponse(Response):
    """Promise a body, send part of it, then break the connection."""

    def __init__(self, stats: Stats, method: str) -> None:
        super().__init__()
        self._stats = stats
        self._method = method

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        part = b'{"error":0,'
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": part, "more_body": True})
        self._stats.record(self._method, len(part))
        raise DeliberateDrop("connection dropped by fault switch")


def encode(payload: dict[str, Any]) -> bytes:
    # PHP's json_encode: \uXXXX for non-ASCII and "\/" for slashes. "/" only occurs inside
    # strings in JSON, so escaping it in the whole text is safe.
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


async def read_fields(request: Request) -> tuple[dict[str, str], Upload | None]:
    fields: dict[str, str] = dict(request.query_params.items())
    upload: Upload | None = None
    if request.method == "POST":
        try:
            form = await request.form(max_files=8, max_fields=10_000, max_part_size=MAX_FORM_PART)
        except HTTPException as exc:
            raise SimError(f"Could not read the request body: {exc.detail}") from exc
        try:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    if key == "file":
                        upload = Upload(await value.read(), value.filename or "")
                else:
                    fields[key] = value
        finally:
            await form.close()
    return fields, upload


def create_app(state: SimState, faults: Faults, stats: Stats) -> Starlette:
    quiet_deliberate_drops()

    async def getdata(request: Request) -> Response:
        method = canonical(request.path_params["method"])
        hit = faults.take(method)
        if hit.expire_tokens:
            state.expire_tokens()
        if hit.terminal == "drop":
            return DroppedResponse(stats, method)
        if hit.terminal == "http500":
            body = b"Internal Server Error"
            stats.record(method, len(body))
            return Response(body, status_code=500, media_type="text/plain")
        if hit.terminal == "html502":
            stats.record(method, len(HTML_502))
            return Response(HTML_502, status_code=502, media_type="text/html")
        try:
            fields, upload = await read_fields(request)
            if hit.latency:
                # The request has arrived whole and is processed after the delay, whether or not
                # the client still waits: a slow gateway acts on requests the client gave up on.
                await anyio.sleep(hit.latency)
            call = Call(state, fields, upload, str(request.base_url))
            body = await anyio.to_thread.run_sync(_answer, method, call)
        except SimError as exc:
            body = encode({"error": 1, "message": str(exc)})
        if hit.terminal == "response_lost":
            return DroppedResponse(stats, method)
        if hit.terminal == "malformed_json":
            body = MALFORMED_JSON
        elif hit.terminal == "empty_body":
            body = b""
        stats.record(method, len(body))
        return Response(body, media_type="application/json")

    async def uploads(request: Request) -> Response:
        found = state.get_upload(request.path_params["name"])
        if found is None:
            return Response(b"Not Found", status_code=404, media_type="text/plain")
        data, content_type = found
        return Response(data, media_type=content_type)

    async def admin_faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                faults.apply_json(await request.json())
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": 1, "message": str(exc)}, status_code=400)
        elif request.method == "DELETE":
            faults.clear()
        return JSONResponse({"error": 0, "faults": faults.active()})

    async def admin_stats(request: Request) -> Response:
        if request.method == "DELETE":
            stats.reset()
        return JSONResponse(stats.snapshot())

    return Starlette(
        routes=[
            Route("/getdata/{method}", getdata, methods=["GET", "POST"]),
            Route("/getdata/{method}/", getdata, methods=["GET", "POST"]),
            Route("/uploads/{name}", uploads, methods=["GET"]),
            Route("/_admin/faults", admin_faults, methods=["GET", "POST", "DELETE"]),
            Route("/_admin/stats", admin_stats, methods=["GET", "DELETE"]),
        ]
    )


def _answer(method: str, call: Call) -> bytes:
    try:
        return encode(dispatch(method, call))
    except SimError as exc:
        return encode({"error": 1, "message": str(exc)})
