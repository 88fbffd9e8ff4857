"""HTTP/1.1 on the standard library's http.server (request parsing, keep-alive, Expect: 100-continue), one thread
per connection, optionally TLS (the handshake runs in the connection's thread, so a slow client blocks no other)."""

import http.server
import socket
import sys
import time
import traceback

from .common import MAX_DRAIN_BYTES, MAX_PHOTO_BYTES, Drop, Request, graph_error


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    rbufsize = 256 * 1024

    def log_message(self, format, *args):  # the emulator logs each answer itself (or nothing with --quiet)
        pass

    def handle_expect_100(self):
        """Refuses a body over 4 MB before the client sends it; otherwise 100 Continue."""
        length = self.content_length()
        if length is not None and length > MAX_PHOTO_BYTES:
            self.too_large(length)
            return False
        return super().handle_expect_100()

    def content_length(self):
        try:
            value = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        return value if value >= 0 else None

    def too_large(self, length):
        req = Request(self.command, self.path, self.lower_headers(), b"")
        self.send(req, graph_error(req, 413, "RequestEntityTooLarge",
                                   f"The request body is {length} bytes; a profile photo may be at most 4 MB "
                                   f"({MAX_PHOTO_BYTES} bytes)."), close=True)
        self.server.emulator.count(413)

    def lower_headers(self):
        return {k.lower(): v for k, v in self.headers.items()}

    def read_body(self):
        """The request body (Content-Length or chunked), or None when the connection must close."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1026)
                if not line:
                    return None
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_DRAIN_BYTES:
                    raise ValueError("too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = self.content_length()
        if length is None:
            raise ValueError("bad Content-Length")
        if length > MAX_DRAIN_BYTES:
            self.too_large(length)
            return None
        body = self.rfile.read(length) if length else b""
        return body if len(body) == length else None

    def dispatch(self):
        emu = self.server.emulator
        started = time.perf_counter()
        try:
            body = self.read_body()
        except ValueError as e:
            self.send_error(400, str(e))
            return
        if body is None:
            self.close_connection = True
            return
        req = Request(self.command, self.path, self.lower_headers(), body)
        try:
            resp = emu.handle(req)
        except Drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            if not emu.opts.quiet:
                sys.stderr.write(f"{req.method} {req.path} -> dropped\n")
            return
        except Exception as e:  # a bug: answer 500 rather than kill the connection thread silently
            traceback.print_exc()
            resp = graph_error(req, 500, "InternalServerError", f"emulator error: {e}")
        self.send(req, resp)
        if not emu.opts.quiet:
            ms = (time.perf_counter() - started) * 1000
            sys.stderr.write(f"{req.method} {req.path} -> {resp.status} ({ms:.1f} ms)\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = dispatch

    def send(self, req, resp, close=False):
        try:
            self.send_response(resp.status)
            self.send_header("request-id", req.rid)
            self.send_header("client-request-id", req.crid)
            if resp.status != 204:  # RFC 9110: no Content-Length on a 204
                self.send_header("Content-Length", str(len(resp.body)))
            for k, v in resp.headers:
                self.send_header(k, v)
            if close or self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if resp.body and self.command != "HEAD":
                self.wfile.write(resp.body)
        except (ConnectionError, OSError):
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    block_on_close = False

    def __init__(self, address, emulator, tls=None):
        super().__init__(address, Handler)
        self.emulator = emulator
        self.tls = tls

    def finish_request(self, request, client_address):
        if self.tls is None:
            return super().finish_request(request, client_address)
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except OSError:  # a client that gave up or does not trust the CA
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()
