"""A stand-in for Twilio at the HTTP boundary: it passes requests on to the sandbox, and answers the way
Twilio sometimes does instead (a created message without a SID, a page that is not JSON, a dropped
connection after the message was created).

The real Twilio SDK talks to it over HTTP, like to Twilio: point TWILIO_API_URL at `url`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests


@dataclass
class Exchange:
    """One request as the double received it, and what the sandbox answered (`status` 0: not asked)."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    status: int = 0
    body: bytes = b""


# Return None to pass the sandbox's answer on; (status, body) to answer that instead; DROP to close
# the connection without answering.
Rewrite = Callable[[Exchange], "tuple[int, bytes] | object | None"]
DROP = object()


class ProviderDouble:
    """A threaded HTTP server in front of the sandbox; `rewrite` decides what the client gets."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        # Asked before the sandbox is: an answer here means the sandbox never hears of the request.
        self.intercept: Rewrite = lambda exchange: None
        # Asked after the sandbox answered.
        self.rewrite: Rewrite = lambda exchange: None
        self.exchanges: list[Exchange] = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            # Nagle's algorithm with delayed ACKs would hold a small answer back about 40 ms on loopback.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                double._serve(self)

            def do_POST(self) -> None:
                double._serve(self)

            def log_message(self, format: str, *args: object) -> None:
                return  # quiet: the numbers in request lines are no test output

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="provider-double", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        data = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        exchange = Exchange(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query),
            form=parse_qs(data.decode()) if handler.command == "POST" else {},
        )
        self.exchanges.append(exchange)
        early = self.intercept(exchange)
        if early is not None:
            self._answer(handler, early, content_type="application/json")
            return
        headers = {
            name: value
            for name, value in handler.headers.items()
            if name.lower() in ("authorization", "content-type", "accept", "user-agent")
        }
        upstream = requests.request(
            handler.command, self.upstream + handler.path, data=data, headers=headers, timeout=30
        )
        exchange.status, exchange.body = upstream.status_code, upstream.content
        answer = self.rewrite(exchange)
        self._answer(
            handler,
            (exchange.status, exchange.body) if answer is None else answer,
            content_type=upstream.headers.get("Content-Type", "application/json"),
        )

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, answer: object, *, content_type: str) -> None:
        handler.close_connection = True
        if answer is DROP:
            # Whatever was done is done; the client never hears of it, as after a lost answer.
            handler.connection.close()
            return
        assert isinstance(answer, tuple)
        status, body = answer
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)


def is_create(exchange: Exchange) -> bool:
    return exchange.method == "POST" and exchange.path.endswith("/Messages.json")


def is_list(exchange: Exchange) -> bool:
    return exchange.method == "GET" and exchange.path.endswith("/Messages.json")
