"""Behaviour controls of scripts/graph-emulator: throttling, faults, drops, slow responses, latency,
determinism, --users-csv and --store."""

import hashlib
import json
import http.client
import os
import shutil
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import Emulator, EmulatorTestCase, jpeg_header, png  # noqa: E402

ADELE = "adele.vance@contoso.example"
PHOTO = "/v1.0/users/{}/photo/$value"


class ThrottleTests(EmulatorTestCase):
    args = ("--throttle-rps", "1", "--throttle-burst", "5")  # a slow refill, so a busy machine does not blur it

    def test_bucket_per_app_answers_429_with_whole_second_retry_after_and_refills(self):
        token = self.emu.token()
        started = time.monotonic()
        results = [self.emu.json("PUT", PHOTO.format(ADELE), png(64, 64), {"Content-Type": "image/png"}, token)
                   for _ in range(12)]
        elapsed = time.monotonic() - started
        statuses = [r[0] for r in results]
        self.assertEqual(set(statuses), {200, 429}, statuses)
        self.assertEqual(statuses[:5], [200] * 5)  # the full bucket
        self.assertLessEqual(statuses.count(200), 5 + 1 * elapsed + 1)
        self.assertEqual(results[0][1]["x-ms-resource-unit"], "1")
        self.assertNotIn("x-ms-throttle-limit-percentage", results[0][1])
        self.assertIn("x-ms-throttle-limit-percentage", results[4][1])
        throttled = next(r for r in results if r[0] == 429)
        body = self.assertGraphError(throttled, 429, "TooManyRequests")
        headers = throttled[1]
        self.assertRegex(headers["retry-after"], r"^[1-9][0-9]*$")
        self.assertEqual(headers["x-ms-throttle-scope"],
                         f"Tenant_Application/ReadWrite/{self.emu.client_id}/{self.emu.tenant}")
        self.assertEqual(headers["x-ms-throttle-information"], "WriteLimitExceeded")
        self.assertIn("retry", body["error"]["message"].lower())
        self.assertEqual(self.emu.state()["requests"].get("429"), statuses.count(429))
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], statuses.count(200))
        time.sleep(int(headers["retry-after"]))
        self.assertEqual(self.emu.json("GET", f"/v1.0/users/{ADELE}", token=token)[0], 200)
        # The token endpoint and the test hooks are never throttled.
        for _ in range(5):
            self.emu.token()

    def test_batch_sub_requests_draw_from_the_same_bucket(self):
        token = self.emu.token()
        items = [{"id": str(i), "method": "GET", "url": f"/users/{ADELE}"} for i in range(8)]
        status, _, body = self.emu.json("POST", "/v1.0/$batch", {"requests": items}, token=token)
        self.assertEqual(status, 200)
        by_id = {r["id"]: r for r in body["responses"]}
        self.assertEqual([by_id[str(i)]["status"] for i in range(8)], [200] * 5 + [429] * 3)
        self.assertIn("Retry-After", by_id["5"]["headers"])
        self.assertEqual(by_id["5"]["body"]["error"]["code"], "TooManyRequests")


class FaultTests(EmulatorTestCase):
    args = ("--fault-rate", "1", "--random-seed", "3")

    def test_every_graph_call_faults_with_503_or_504_half_with_retry_after(self):
        token = self.emu.token()  # the token endpoint is exempt
        seen = []
        for i in range(40):
            status, headers, body = self.emu.json("GET", f"/v1.0/users/{ADELE}?n={i}", token=token)
            self.assertIn(status, (503, 504))
            self.assertEqual(body["error"]["code"], "serviceNotAvailable" if status == 503 else "gatewayTimeout")
            seen.append((status, "retry-after" in headers))
        self.assertEqual(len(set(seen)), 4, seen)  # all four kinds occur
        with_retry = sum(1 for _, r in seen if r)
        self.assertTrue(10 <= with_retry <= 30, with_retry)
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 0)


class PartialFaultDeterminismTests(unittest.TestCase):
    def outcomes(self, seed):
        emu = Emulator("--fault-rate", "0.3", "--random-seed", str(seed))
        try:
            token = emu.token()
            return [emu.call("PUT", PHOTO.format(ADELE), png(64, 64), {"Content-Type": "image/png"}, token)[0]
                    for _ in range(30)]
        finally:
            emu.stop()

    def test_same_seed_same_outcomes_and_a_retry_can_succeed(self):
        first, second, other = self.outcomes(11), self.outcomes(11), self.outcomes(12)
        self.assertEqual(first, second)
        self.assertNotEqual(first, other)
        self.assertTrue(0 < sum(1 for s in first if s != 200) < 30, first)
        self.assertTrue(all(s in (200, 503, 504) for s in first))


class TokenFaultTests(EmulatorTestCase):
    args = ("--token-fault-rate", "0.5", "--random-seed", "9")

    def test_token_endpoint_fails_transiently_and_graph_is_unaffected(self):
        url = f"/{self.emu.tenant}/oauth2/v2.0/token"
        fields = {"grant_type": "client_credentials", "client_id": self.emu.client_id,
                  "client_secret": self.emu.secret, "scope": "https://graph.microsoft.com/.default"}
        results = [self.emu.form(url, fields) for _ in range(16)]
        statuses = [r[0] for r in results]
        self.assertEqual(set(statuses), {200, 503}, statuses)
        failed = next(r for r in results if r[0] == 503)
        self.assertEqual(failed[1]["retry-after"], "1")
        self.assertEqual(failed[2]["error"], "temporarily_unavailable")
        self.assertEqual(failed[2]["error_codes"], [90033])
        token = next(r for r in results if r[0] == 200)[2]["access_token"]
        for _ in range(5):
            self.assertEqual(self.emu.json("GET", f"/v1.0/users/{ADELE}", token=token)[0], 200)


class DropTests(EmulatorTestCase):
    args = ("--drop-rate", "1", "--random-seed", "1")

    def test_connection_closes_without_a_response_and_nothing_is_stored(self):
        token = self.emu.token()
        conn = self.emu.connection(timeout=5)
        try:
            conn.request("PUT", PHOTO.format(ADELE), body=png(64, 64),
                         headers={"Authorization": "Bearer " + token, "Content-Type": "image/png"})
            with self.assertRaises((http.client.RemoteDisconnected, ConnectionResetError)):
                conn.getresponse()
        finally:
            conn.close()
        state = self.emu.state()
        self.assertEqual(state["dropped"], 1)
        self.assertEqual(state["users"][ADELE]["uploads"], 0)


class SlowTests(EmulatorTestCase):
    args = ("--slow-rate", "1", "--slow-ms", "1500", "--random-seed", "1")

    def test_slow_response_outlasts_the_client_timeout_but_the_upload_lands(self):
        token = self.emu.token()
        conn = self.emu.connection(timeout=0.4)
        try:
            conn.request("PUT", PHOTO.format(ADELE), body=png(64, 64),
                         headers={"Authorization": "Bearer " + token, "Content-Type": "image/png"})
            with self.assertRaises(socket.timeout):
                conn.getresponse()
        finally:
            conn.close()
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 0)  # not yet processed
        # The PUT is answered (into a closed connection) after its delay: the token's 200 and the PUT's.
        self.assertEqual(self.emu.wait("answered=2&status=200&timeout=30"), (200, {"answered": 2, "want": 2}))
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 1)


class LatencyTests(EmulatorTestCase):
    args = ("--latency-ms", "1000", "--jitter-ms", "50", "--random-seed", "5")

    def test_every_response_is_delayed_but_not_the_test_hooks(self):
        import threading
        started = time.monotonic()
        token = self.emu.token()
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        conn = self.emu.connection(timeout=30)
        self.addCleanup(conn.close)
        answer = {}

        def get():
            sent = time.monotonic()
            conn.request("GET", f"/v1.0/users/{ADELE}", headers={"Authorization": "Bearer " + token})
            answer["status"] = conn.getresponse().status
            answer["elapsed"] = time.monotonic() - sent

        sender = threading.Thread(target=get)
        sender.start()
        self.assertEqual(self.emu.wait("arrived=1&method=GET")[0], 200)
        # The hooks answer while that GET still waits out its latency: only the token's 200 so far.
        self.assertEqual(self.emu.state()["requests"], {"200": 1})
        sender.join()
        self.assertEqual(answer["status"], 200)
        self.assertGreaterEqual(answer["elapsed"], 1.0)


class UsersCsvTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="emu-csv-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, text, encoding="utf-8"):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding=encoding, newline="") as f:
            f.write(text)
        return path

    def test_csv_users_are_added_with_stable_ids_for_every_header_and_delimiter(self):
        files = [
            self.write("a.csv", "upn,photo,employeeId\r\nnew.one@contoso.example,a.jpg,900\r\n"),
            self.write("b.csv", "\ufeffUserPrincipalName;File\nnew.two@contoso.example;b.jpg\n"),
            self.write("c.tsv", "Photo\tEmail\nc.jpg\tnew.three@contoso.example\n\t\n"),
            self.write("e.csv", "User Principal_Name,Employee-Number\nnew.four@contoso.example,901\n"),
            self.write("d.csv", "mail\nADELE.VANCE@contoso.example\n"),
        ]
        args = []
        for f in files:
            args += ["--users-csv", f]
        emu = Emulator(*args)
        try:
            users = emu.state()["users"]
            for upn in ("new.one@contoso.example", "new.two@contoso.example", "new.three@contoso.example",
                        "new.four@contoso.example"):
                self.assertIn(upn, users)
            self.assertNotIn("ADELE.VANCE@contoso.example", users)  # already present, case-insensitively
            token = emu.token()
            status, _, body = emu.json("GET", "/v1.0/users?$filter=employeeId%20eq%20'900'&$select=userPrincipalName",
                                       token=token)
            self.assertEqual(body["value"], [{"userPrincipalName": "new.one@contoso.example"}])
            status, _, body = emu.json("GET", "/v1.0/users?$filter=employeeId%20eq%20'901'&$select=userPrincipalName",
                                       token=token)
            self.assertEqual(body["value"], [{"userPrincipalName": "new.four@contoso.example"}])
            status, _, _ = emu.json("PUT", PHOTO.format("new.two@contoso.example"), png(64, 64),
                                    {"Content-Type": "image/png"}, token)
            self.assertEqual(status, 200)
            first_id = users["new.one@contoso.example"]["id"]
        finally:
            emu.stop()
        again = Emulator("--users-csv", files[0])
        try:
            self.assertEqual(again.state()["users"]["new.one@contoso.example"]["id"], first_id)
        finally:
            again.stop()

    def test_csv_without_upn_column_fails_at_start(self):
        import subprocess
        from emulator_harness import EMULATOR
        path = self.write("bad.csv", "name,photo\nx,y\n")
        proc = subprocess.run([sys.executable, EMULATOR, "--users-csv", path], capture_output=True, text=True,
                              timeout=20)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no UPN column", proc.stderr)


class StoreTests(unittest.TestCase):
    def test_store_dir_receives_photo_files_and_reset_empties_it(self):
        tmp = tempfile.mkdtemp(prefix="emu-store-")
        emu = Emulator("--store", tmp)
        try:
            token = emu.token()
            body = jpeg_header(70, 70)
            self.assertEqual(emu.call("PUT", PHOTO.format(ADELE), body, {"Content-Type": "image/jpeg"}, token)[0],
                             200)
            user = emu.state()["users"][ADELE]
            path = os.path.join(tmp, "users", user["id"] + ".jpg")
            with open(path, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(body).hexdigest())
            self.assertEqual(user["sha256"], hashlib.sha256(body).hexdigest())
            self.assertEqual(emu.call("GET", PHOTO.format(ADELE), token=token)[2], body)
            emu.reset()
            self.assertFalse(os.path.exists(path))
        finally:
            emu.stop()
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main()


class WaitHookTests(EmulatorTestCase):
    args = ("--latency-ms", "1000")

    def test_wait_returns_once_the_nth_request_has_arrived_not_answered(self):
        import threading
        token = self.emu.token()
        conn = self.emu.connection(timeout=30)
        self.addCleanup(conn.close)
        sender = threading.Thread(target=lambda: conn.request("PUT", PHOTO.format(ADELE), body=png(64, 64), headers={
            "Content-Type": "image/png", "Authorization": "Bearer " + token}))
        sender.start()
        # Counted on receipt: the hook answers while the PUT still waits out its latency.
        waiter = self.emu.connection(timeout=30)
        self.addCleanup(waiter.close)
        waiter.request("GET", "/_emulator/wait?arrived=1&method=PUT&timeout=20")
        resp = waiter.getresponse()
        body = json.loads(resp.read())
        self.assertEqual(resp.status, 200, body)
        self.assertEqual(body, {"arrived": 1, "want": 1})
        sender.join()
        status, _, body = self.emu.json("GET", "/_emulator/wait?arrived=1&method=GET&timeout=0.1")
        self.assertEqual((status, body), (408, {"arrived": 0, "want": 1}), "a PUT is not counted as a GET")

    def test_wait_times_out_with_408_and_the_count_so_far(self):
        status, _, body = self.emu.json("GET", "/_emulator/wait?answered=1&status=429&timeout=0.2")
        self.assertEqual(status, 408)
        self.assertEqual(body, {"answered": 0, "want": 1})
        status, _, body = self.emu.json("GET", "/_emulator/wait?timeout=1")
        self.assertEqual(status, 400)
