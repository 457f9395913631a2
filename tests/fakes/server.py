"""A real HTTP server on 127.0.0.1 for tests, with latency, faults and pause gates.

Subclasses answer requests in `respond`; this base records every request, delays them,
fails them on purpose (an HTTP status, a timeout, a dropped connection, before or after
the effect), and can hold a request at a gate so a test can kill a client at that instant.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    kind: int | str  # an HTTP status, "timeout" or "drop"
    times: int
    after_effect: bool
    hold: float
    headers: dict[str, str] = field(default_factory=dict)  # sent with a status fault


@dataclass
class Gate:
    """Holds matching requests until released; `reached` is set when one arrives."""

    method: str
    pattern: re.Pattern[str]
    after_effect: bool
    skip: int = 0  # let this many matching requests through first
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


class Response:
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        self.status = status
        self.body = body
        self.headers = headers or {}


class FakeServer:
    name = "fake"

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.log: list[Received] = []
        self._faults: list[Fault] = []
        self._gates: list[Gate] = []
        self._every_gate: list[Gate] = []  # released on stop, so no request hangs forever
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- lifecycle -----------------------------------------------------------------

    def start(self, port: int = 0) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle's algorithm the body
            # would wait for the client's delayed ACK (~40 ms), a delay real servers lack.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _handle(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            for gate in self._every_gate:
                gate.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- test controls ---------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        kind: int | str,
        times: int = 1,
        after_effect: bool = False,
        hold: float = 5.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Fail the next `times` matching requests: status code (with `headers`, such as
        Retry-After), "timeout" or "drop"."""
        with self._lock:
            self._faults.append(
                Fault(
                    method, re.compile(path_regex), kind, times, after_effect, hold, headers or {}
                )
            )

    def pause_on(
        self, method: str, path_regex: str, after_effect: bool = False, skip: int = 0
    ) -> Gate:
        gate = Gate(method, re.compile(path_regex), after_effect, skip)
        with self._lock:
            self._gates.append(gate)
            self._every_gate.append(gate)
        return gate

    def count(self, method: str, path_regex: str = ".*") -> int:
        pattern = re.compile(path_regex)
        with self._lock:
            return sum(1 for r in self.log if r.method == method and pattern.search(r.path))

    def stats(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        with self._lock:
            for record in self.log:
                key = f"{record.method} {self.kind_of(record.path)}"
                counts[key] = counts.get(key, 0) + 1
        return {"requests": counts}

    def kind_of(self, path: str) -> str:
        """A path with ids replaced, for counting calls by kind."""
        return re.sub(r"/[A-Z][A-Z0-9_]+-[0-9]+|/[0-9]+", "/{id}", path)

    # --- serving ---------------------------------------------------------------------

    def respond(self, request: Received) -> Response:  # overridden by the fakes
        return Response(404, {"error": "no such route"})

    def _take(self, items: list[Any], request: Received) -> Any:
        for item in items:
            if item.method == request.method and item.pattern.search(request.path):
                return item
        return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if len(body) < length:
            # The client went away before its body was all there (a `pac apply` killed
            # between the head and the body, which urllib3 writes apart). A real server
            # never hands such a request to its application: nothing is logged or done.
            handler.close_connection = True
            return
        request = Received(
            handler.command,
            parts.path,
            parse_qs(parts.query),
            dict(handler.headers.items()),
            body,
        )
        if parts.path == "/_fake/stats":
            self._send(handler, Response(200, self.stats()))
            return
        with self._lock:
            self.log.append(request)
            fault = self._take(self._faults, request)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
            gate = self._take(self._gates, request)
            if gate is not None:
                if gate.skip > 0:
                    gate.skip -= 1
                    gate = None
                else:
                    self._gates.remove(gate)  # one request is held; later ones pass
        if self.latency:
            time.sleep(self.latency)
        if gate is not None and not gate.after_effect:
            gate.reached.set()
            gate.released.wait()
        if fault is not None and not fault.after_effect:
            self._fail(handler, fault)
            return
        try:
            response = self.respond(request)
        except Exception as exc:  # a bug in the fake: answer like a server would
            response = Response(500, {"errorMessages": [f"fake server error: {exc}"]})
        if gate is not None and gate.after_effect:
            gate.reached.set()
            gate.released.wait()
        if fault is not None and fault.after_effect:
            self._fail(handler, fault)
            return
        self._send(handler, response)

    def _fail(self, handler: BaseHTTPRequestHandler, fault: Fault) -> None:
        if isinstance(fault.kind, int):
            self._send(
                handler,
                Response(
                    fault.kind,
                    {"errorMessages": [f"injected {fault.kind}"], "errors": {}},
                    fault.headers,
                ),
            )
            return
        if fault.kind == "timeout":
            time.sleep(fault.hold)
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, handler: BaseHTTPRequestHandler, response: Response) -> None:
        # Bytes go out as they are (a service answering in its own encoding), data as JSON.
        if isinstance(response.body, bytes):
            payload = response.body
        else:
            payload = b"" if response.body is None else json.dumps(response.body).encode()
        headers = {"Content-Type": "application/json;charset=UTF-8", **response.headers}
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            pass  # the client went away (a killed pac apply): nothing to answer


def serve_forever(make: Any, description: str) -> None:
    """`python -m tests.fakes.<name>`: a fake in its own process, for benchmarks."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    fake = make(latency=args.latency).start(args.port)
    print(f"READY {fake.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    fake.stop()
    sys.exit(0)
