"""The HTTP side: a ThreadingHTTPServer on 127.0.0.1 (port 0) that hands each request to the stand-in.

Handler threads are daemons but tracked, so ``close()`` can shut their sockets and join them: no thread or
socket outlives the stand-in (pytest's ``filterwarnings=error`` would turn a leak into a failure).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .wire import Request

if TYPE_CHECKING:
    from .standin import SheetsStandIn


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Google's front end
    server_version = "ESF"
    sys_version = ""
    timeout = 60
    wbufsize = 1 << 16  # headers and body leave in one write (with Nagle off: no delayed-ACK stalls)
    disable_nagle_algorithm = True
    server: StandInServer

    def handle(self) -> None:
        with contextlib.suppress(ConnectionError, TimeoutError, OSError):
            super().handle()

    def finish(self) -> None:  # the client may have gone (a timeout): flushing then fails
        with contextlib.suppress(ConnectionError, TimeoutError, OSError):
            super().finish()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        reply = self.server.standin.handle(request)
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.headers.get("Connection", "").lower() == "close":
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815 (http.server's method names)

    def log_message(self, format: str, *args: Any) -> None:
        return


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, standin: SheetsStandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.standin = standin
        self._open: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        self._guard = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self._work, args=(request, client_address), name="sheets-standin-conn", daemon=True
        )
        with self._guard:
            self._open.add(request)
            self._workers.add(worker)
        worker.start()

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._guard:
                self._open.discard(request)
                self._workers.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # connection-level trouble of one client; request errors are answered, not raised

    def close(self, timeout: float = 10.0) -> None:
        self.shutdown()
        with self._guard:
            sockets, workers = list(self._open), list(self._workers)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(timeout)
        self.server_close()
