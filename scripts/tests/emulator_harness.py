"""Shared helpers for the graph-emulator tests: start the emulator as a subprocess, make images, call it."""

import base64
import http.client
import json
import os
import shutil
import struct
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(os.path.dirname(HERE), "graph-emulator")
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
PEOPLE_ADMIN = "024906de-61e5-49c8-8572-40335f1e0e10"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"


def png(width, height):
    """A real, decodable RGB PNG of the given size."""
    raw = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg_header(width, height, size=2048, app_segments=1, progressive=False):
    """A JPEG whose SOI, APPn/COM segments and SOFn header are well formed (what the emulator parses)."""
    out = b"\xff\xd8"
    for i in range(app_segments):
        payload = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" if i == 0 else b"Exif\x00\x00" + b"x" * 40
        out += bytes([0xFF, 0xE0 + i]) + (len(payload) + 2).to_bytes(2, "big") + payload
    marker = 0xC2 if progressive else 0xC0
    out += bytes([0xFF, marker]) + b"\x00\x11\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big") + \
        b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    pad = max(0, size - len(out) - 2)
    while pad > 4:
        n = min(pad - 4, 60000)
        out += b"\xff\xfe" + (n + 2).to_bytes(2, "big") + b"c" * n
        pad -= n + 4
    return out + b"\x00" * pad + b"\xff\xd9"


class Emulator:
    """A running scripts/graph-emulator process."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, EMULATOR, "--port", "0", "--quiet", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The banner: the base URL, KEY=VALUE lines, a blank line.
        self.lines = [self.proc.stdout.readline().rstrip("\n")]
        while self.lines[-1] != "" and len(self.lines) < 20:
            self.lines.append(self.proc.stdout.readline().rstrip("\n"))
        if not self.lines[0].startswith(("http://", "https://")):
            self.proc.kill()
            err = self.proc.stderr.read()
            raise RuntimeError(f"emulator did not start: {self.lines!r} {err}")
        self.url = self.lines[0]
        scheme, _, hostport = self.url.partition("://")
        self.host, port = hostport.split(":")
        self.port = int(port)
        self.env = dict(line.split("=", 1) for line in self.lines[1:-1])
        self.tenant = self.env["AZURE_TENANT_ID"]
        self.client_id = self.env["AZURE_CLIENT_ID"]
        self.secret = self.env["AZURE_CLIENT_SECRET"]
        self.ssl = ssl.create_default_context(cafile=self.env["SSL_CERT_FILE"]) if scheme == "https" else None
        self.conn = None

    def stop(self):
        if self.conn:
            self.conn.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()

    def connection(self, timeout=10):
        if self.ssl:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self.ssl)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def call(self, method, path, body=None, headers=None, token=None, timeout=10):
        """One request on a shared keep-alive connection; returns (status, headers dict lower-case, body bytes)."""
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        for attempt in range(2):
            if self.conn is None:
                self.conn = self.connection(timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def json(self, method, path, body=None, headers=None, token=None):
        status, hdrs, data = self.call(method, path, body, headers, token)
        return status, hdrs, (json.loads(data) if data else None)

    def form(self, path, fields, headers=None):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.json("POST", path, urllib.parse.urlencode(fields).encode(), h)

    def token(self, tenant=None, client_id=None, secret=None, scope=GRAPH_SCOPE):
        status, _, body = self.form(f"/{tenant or self.tenant}/oauth2/v2.0/token", {
            "grant_type": "client_credentials", "client_id": client_id or self.client_id,
            "client_secret": secret or self.secret, "scope": scope})
        if status != 200:
            raise AssertionError(f"token request failed: {status} {body}")
        return body["access_token"]

    def state(self):
        return self.json("GET", "/_emulator/state")[2]

    def wait(self, query):
        """GET /_emulator/wait?{query} on its own connection (the shared one may be busy); returns (status, body)."""
        conn = self.connection(timeout=90)
        try:
            conn.request("GET", "/_emulator/wait?" + query)
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read())
        finally:
            conn.close()

    def reset(self):
        status, _, _ = self.call("POST", "/_emulator/reset")
        assert status == 200

    def device_token(self, upn, scope="https://graph.microsoft.com/.default offline_access", client_id=None):
        cid = client_id or self.client_id
        status, _, start = self.form(f"/{self.tenant}/oauth2/v2.0/devicecode", {"client_id": cid, "scope": scope})
        assert status == 200, start
        status, _, body = self.json("POST", "/_emulator/devicecode/approve",
                                    {"user_code": start["user_code"], "user": upn})
        assert status == 200, body
        status, _, tok = self.form(f"/{self.tenant}/oauth2/v2.0/token", {
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": cid,
            "device_code": start["device_code"]})
        assert status == 200, tok
        return tok


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class GraphAssertions:
    """assertGraphError for the test classes below."""

    def assertGraphError(self, result, status, code):
        got_status, headers, body = result
        self.assertEqual(got_status, status, body)
        if isinstance(body, (bytes, bytearray)):
            body = json.loads(body)
        self.assertEqual(body["error"]["code"], code, body)
        inner = body["error"]["innerError"]
        self.assertEqual(inner["request-id"], headers["request-id"])
        self.assertEqual(inner["client-request-id"], headers["client-request-id"])
        self.assertRegex(inner["date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
        return body


class EmulatorTestCase(GraphAssertions, unittest.TestCase):
    """Starts one emulator per test class (flags in `args`) and resets it before each test."""

    args = ()

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(*cls.args)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        self.emu.reset()

class SeededTestCase(GraphAssertions, unittest.TestCase):
    """A test class with its own temporary folder (`cls.tmp`) and one emulator started on a seed of its own."""

    @classmethod
    def make_folder(cls, prefix):
        cls.tmp = tempfile.mkdtemp(prefix=prefix)

    @classmethod
    def start_seeded(cls, seed, *args):
        """Writes `seed` to cls.tmp/seed.json and starts the emulator on it (plus `args`)."""
        path = os.path.join(cls.tmp, "seed.json")
        with open(path, "w") as f:
            json.dump(seed, f)
        cls.emu = Emulator("--seed", path, *args)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        shutil.rmtree(cls.tmp)
