"""Core behaviour of scripts/graph-emulator: the stdout contract, tokens, users and photos."""

import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import EMULATOR, Emulator, EmulatorTestCase, jpeg_header, jwt_claims, png  # noqa: E402

ADELE = "adele.vance@contoso.example"
PHOTO = "/v1.0/users/{}/photo/$value"


class StdoutContractTests(unittest.TestCase):
    def test_prints_url_then_demo_credentials_then_blank_line_and_stops_on_sigterm(self):
        emu = Emulator()
        try:
            self.assertRegex(emu.lines[0], r"^http://127\.0\.0\.1:\d+$")
            self.assertRegex(emu.lines[1], r"^AZURE_TENANT_ID=[0-9a-f-]{36}$")
            self.assertRegex(emu.lines[2], r"^AZURE_CLIENT_ID=[0-9a-f-]{36}$")
            self.assertTrue(emu.lines[3].startswith("AZURE_CLIENT_SECRET=") and len(emu.lines[3]) > 25)
            self.assertEqual(emu.lines[4], "")
            emu.proc.send_signal(signal.SIGTERM)
            self.assertEqual(emu.proc.wait(timeout=10), 0)
        finally:
            emu.stop()

    def test_sigint_also_exits_cleanly(self):
        emu = Emulator()
        try:
            emu.token()
            emu.proc.send_signal(signal.SIGINT)
            self.assertEqual(emu.proc.wait(timeout=10), 0)
        finally:
            emu.stop()

    def test_help_documents_every_flag_and_the_seed_schema(self):
        out = subprocess.run([sys.executable, EMULATOR, "--help"], capture_output=True, text=True, check=True).stdout
        flags = set(re.findall(r"(--[a-z][a-z-]+)", out.split("\n\n", 1)[0]))  # every flag in the usage line
        self.assertGreater(len(flags), 25)
        options = out[out.index("options:"):out.index("stdout contract")]
        for flag in flags | {"--tls", "--tls-dir", "--identity-header", "--mailbox-concurrency", "--mailbox-requests",
                             "--mailbox-upload-bytes"}:
            # `  --flag [METAVAR]` then its help on the same line or the next, indented.
            self.assertRegex(options, r"\n  " + re.escape(flag) + r"(?: \S+)?(?: {2,}\S|\n {20,}\S)",
                             f"{flag} has no help text")
        for word in ("federatedCredentials", "certificates", "hasMailbox", "employeeId", "managedIdentities",
                     "contactFolders", "emailAddresses", '"photo"', "allowedRoles", "SSL_CERT_FILE",
                     "REQUESTS_CA_BUNDLE", "/_emulator/state", "/_emulator/reset", "/_emulator/wait?arrived=N",
                     "/_emulator/wait?answered=N", "/_emulator/{users|groups|teams}/{id|upn}/photo",
                     "/_emulator/devicecode/approve", "/metadata/identity/oauth2/token", "/msi/token",
                     ".well-known/openid-configuration", "/common/discovery/instance", "/discovery/v2.0/keys"):
            self.assertIn(word, out)

    def test_bad_seed_file_exits_2_with_a_message(self):
        proc = subprocess.run([sys.executable, EMULATOR, "--seed", "/nonexistent/seed.json"], capture_output=True,
                              text=True, timeout=20)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("seed.json", proc.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            cases = {"a.json": ("{bad", "not valid JSON"), "b.json": ("[1]", "must be a JSON object"),
                     "c.json": ('{"apps": [{"clientId": "x", "federatedCredentials": [{"subject": "s"}]}]}',
                                "missing field 'issuer'")}
            for name, (text, message) in cases.items():
                path = os.path.join(tmp, name)
                with open(path, "w") as f:
                    f.write(text)
                proc = subprocess.run([sys.executable, EMULATOR, "--seed", path], capture_output=True, text=True,
                                      timeout=20)
                self.assertEqual(proc.returncode, 2, name)
                self.assertIn(name, proc.stderr)
                self.assertIn(message, proc.stderr)
        proc = subprocess.run([sys.executable, EMULATOR, "--approve-device-codes", "ghost@contoso.example"],
                              capture_output=True, text=True, timeout=20)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("ghost@contoso.example", proc.stderr)

    def test_sigterm_exits_promptly_while_a_slow_response_is_pending(self):
        emu = Emulator("--slow-rate", "1", "--slow-ms", "20000")
        try:
            token = emu.token()
            conn = emu.connection(timeout=5)
            conn.request("GET", "/v1.0/users/" + ADELE, headers={"Authorization": "Bearer " + token})
            emu.wait("arrived=1&method=GET")
            emu.proc.send_signal(signal.SIGTERM)
            # Well before the 20 s the pending response waits for.
            self.assertEqual(emu.proc.wait(timeout=10), 0)
            conn.close()
        finally:
            emu.stop()


class PhotoRoundTripTests(EmulatorTestCase):
    def test_put_then_get_returns_the_same_bytes_and_state_records_the_upload(self):
        token = self.emu.token()
        body = jpeg_header(320, 240, size=50 * 1024)
        status, headers, data = self.emu.call("PUT", PHOTO.format(ADELE), body, {"Content-Type": "image/jpeg"},
                                              token)
        self.assertEqual(status, 200, data)
        self.assertTrue(headers["request-id"])
        status, headers, data = self.emu.call("GET", PHOTO.format(ADELE), token=token)
        self.assertEqual(status, 200)
        self.assertEqual(data, body)
        self.assertEqual(headers["content-type"], "image/jpeg")
        user = self.emu.state()["users"][ADELE]
        self.assertEqual(user["uploads"], 1)
        self.assertEqual(user["sha256"], hashlib.sha256(body).hexdigest())
        self.assertEqual((user["bytes"], user["width"], user["height"]), (len(body), 320, 240))

    def test_png_upload_by_user_id_is_held_as_a_jpeg_of_its_size(self):
        token = self.emu.token()
        uid = self.emu.state()["users"][ADELE]["id"]
        status, _, data = self.emu.call("PUT", PHOTO.format(uid), png(64, 50), {"Content-Type": "image/png"}, token)
        self.assertEqual(status, 200, data)
        status, _, meta = self.emu.json("GET", f"/v1.0/users/{uid}/photo", token=token)
        self.assertEqual((meta["width"], meta["height"], meta["@odata.mediaContentType"]), (64, 50, "image/jpeg"))
        self.assertEqual(meta["id"], "64X50")

    def test_reset_clears_photos_and_counters(self):
        token = self.emu.token()
        self.emu.call("PUT", PHOTO.format(ADELE), png(60, 60), {"Content-Type": "image/png"}, token)
        self.assertEqual(self.emu.state()["requests"].get("200"), 2)
        self.emu.reset()
        state = self.emu.state()
        self.assertEqual(state["users"][ADELE]["uploads"], 0)
        self.assertIsNone(state["users"][ADELE]["sha256"])
        self.assertEqual(state["requests"], {})

    def test_access_token_is_a_jwt_with_the_app_claims(self):
        claims = jwt_claims(self.emu.token())
        self.assertEqual(claims["aud"], "https://graph.microsoft.com")
        self.assertEqual(claims["tid"], self.emu.tenant)
        self.assertEqual(claims["appid"], self.emu.client_id)
        self.assertEqual(claims["azp"], self.emu.client_id)
        self.assertEqual(sorted(claims["roles"]),
                         ["PeopleSettings.ReadWrite.All", "ProfilePhoto.ReadWrite.All", "User.Read.All"])
        self.assertLessEqual(claims["iat"], time.time() + 1)
        self.assertIn(claims["exp"] - claims["iat"], (3599, 3600))
        self.assertGreaterEqual(claims["exp"] - time.time(), 3598)
        self.assertLessEqual(claims["nbf"], claims["iat"])


if __name__ == "__main__":
    unittest.main()
