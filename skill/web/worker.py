"""The gunicorn worker ``serve`` runs: gevent, with malformed HTTP answered by our own code.

Why gevent: each connection is a greenlet, not a thread, so clients that trickle their request a
byte at a time hold nothing an honest request needs (with threads, 16 slow connections took all 8
slots). gunicorn reads request headers under its ``keepalive`` timeout; bodies are read by the app,
cooperatively. psycopg 3 notices gevent's patching and waits cooperatively too; SQLite calls are
short and run as they are.

Why our own ``handle_error``: gunicorn answers some malformed requests with 5xx (an unsupported
transfer coding is 501) and logs the parser's message, which can quote header values. Here a
malformed request is a 4xx with a short JSON body, logged by its error type only.
"""

from __future__ import annotations

import json
import ssl
from typing import Any

from gunicorn.http import errors
from gunicorn.util import write_nonblock
from gunicorn.workers.ggevent import GeventWorker

__all__ = ["SkillWorker"]

_STATUS: dict[type[Exception], tuple[int, str]] = {
    errors.LimitRequestLine: (414, "URI Too Long"),
    errors.LimitRequestHeaders: (431, "Request Header Fields Too Large"),
    errors.ExpectationFailed: (417, "Expectation Failed"),
    errors.ForbiddenProxyRequest: (403, "Forbidden"),
}
_APPLICATION_FAULTS = (errors.InvalidResponseHeader, errors.InvalidResponseHeaderName)


class SkillWorker(GeventWorker):  # type: ignore[misc]
    def handle_error(self, req: Any, client: Any, addr: Any, exc: Exception) -> None:
        if isinstance(exc, _APPLICATION_FAULTS) or not isinstance(
            exc, errors.ParseException | ssl.SSLError
        ):
            super().handle_error(req, client, addr, exc)
            return
        status, reason = _STATUS.get(type(exc), (400, "Bad Request"))
        self.log.warning("refused a malformed HTTP request (%s)", type(exc).__name__)
        body = json.dumps({"error": reason, "message": "malformed HTTP request"}).encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        try:
            write_nonblock(client, head + body)
        except OSError:
            self.log.debug("could not send the error response")
