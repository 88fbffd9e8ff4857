"""The per-mailbox limits Graph documents for photo and contact operations (throttling-limits#outlook-service-limits),
each flag answering Graph's 429 ApplicationThrottled with Retry-After."""

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import EmulatorTestCase, jpeg_header  # noqa: E402

ADELE, ALEX = "adele.vance@contoso.example", "alex.wilber@contoso.example"
PHOTO = "/v1.0/users/{}/photo/$value"


class Throttled:
    def assertThrottled(self, result, limit):
        body = self.assertGraphError(result, 429, "ApplicationThrottled")
        self.assertEqual(body["error"]["message"], f"Application is over its {limit} limit.")
        retry = int(result[1]["retry-after"])
        self.assertGreaterEqual(retry, 1)
        return retry


class ConcurrencyTests(Throttled, EmulatorTestCase):
    # Every Graph answer comes 1.5 s late (the token endpoint's not): the first request holds its slot meanwhile; the
    # second is decided on arrival.
    args = ("--mailbox-concurrency", "1", "--slow-rate", "1", "--slow-ms", "1500")

    def test_a_second_request_to_the_same_mailbox_in_flight_is_429_and_another_mailbox_is_not(self):
        token = self.emu.token()
        results = {}

        def first():
            conn = self.emu.connection(timeout=30)
            try:
                conn.request("PUT", PHOTO.format(ADELE), body=jpeg_header(64, 64),
                             headers={"Authorization": "Bearer " + token, "Content-Type": "image/jpeg"})
                results["first"] = conn.getresponse().status
            finally:
                conn.close()

        sender = threading.Thread(target=first)
        sender.start()
        self.assertEqual(self.emu.wait("arrived=1&method=PUT&timeout=20")[0], 200)
        others = {}

        def other(name, method, upn):
            conn = self.emu.connection(timeout=30)
            try:
                conn.request(method, PHOTO.format(upn), body=jpeg_header(64, 64) if method == "PUT" else None,
                             headers={"Authorization": "Bearer " + token, "Content-Type": "image/jpeg"})
                resp = conn.getresponse()
                others[name] = (resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
            finally:
                conn.close()

        threads = [threading.Thread(target=other, args=("same", "GET", ADELE)),
                   threading.Thread(target=other, args=("other", "PUT", ALEX))]
        for t in threads:
            t.start()
        for t in threads + [sender]:
            t.join()
        self.assertEqual(results["first"], 200)
        self.assertEqual(self.assertThrottled(others["same"], "MailboxConcurrency"), 1)
        self.assertEqual(others["other"][0], 200)
        # Once the first has been answered its slot is free again.
        self.assertEqual(self.emu.call("GET", PHOTO.format(ADELE), token=token)[0], 200)


class RequestLimitTests(Throttled, EmulatorTestCase):
    args = ("--mailbox-requests", "3")

    def test_the_fourth_request_to_a_mailbox_in_ten_minutes_is_429(self):
        token = self.emu.token()
        statuses = [self.emu.json("GET", PHOTO.format(ADELE), token=token)[0] for _ in range(3)]
        self.assertEqual(statuses, [404] * 3)  # no photo yet: answered, and counted
        retry = self.assertThrottled(self.emu.json("GET", PHOTO.format(ADELE), token=token), "Request")
        self.assertLessEqual(retry, 600)
        status, _, body = self.emu.json("POST", "/v1.0/$batch", {"requests": [
            {"id": "1", "method": "GET", "url": f"/users/{ADELE}/photo"},
            {"id": "2", "method": "GET", "url": f"/users/{ALEX}/photo"}]}, token=token)
        by_id = {r["id"]: r for r in body["responses"]}
        self.assertEqual((by_id["1"]["status"], by_id["2"]["status"]), (429, 404))
        self.assertIn("Retry-After", by_id["1"]["headers"])
        # Not a mailbox resource: the user object itself.
        self.assertEqual(self.emu.json("GET", f"/v1.0/users/{ADELE}", token=token)[0], 200)
        self.emu.reset()
        self.assertEqual(self.emu.json("GET", PHOTO.format(ADELE), token=token)[0], 404)


class UploadBytesTests(Throttled, EmulatorTestCase):
    args = ("--mailbox-upload-bytes", "5000")

    def test_uploads_over_the_byte_budget_of_five_minutes_are_429(self):
        token = self.emu.token()
        photo = jpeg_header(64, 64, size=3000)
        put = lambda upn: self.emu.json("PUT", PHOTO.format(upn), photo, {"Content-Type": "image/jpeg"}, token)
        self.assertEqual(put(ADELE)[0], 200)
        retry = self.assertThrottled(put(ADELE), "IncomingBytes")
        self.assertLessEqual(retry, 300)
        self.assertEqual(put(ALEX)[0], 200)
        self.assertEqual(self.emu.call("GET", PHOTO.format(ADELE), token=token)[0], 200)  # reads upload nothing
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 1)


if __name__ == "__main__":
    unittest.main()
