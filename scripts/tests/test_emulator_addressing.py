"""Graph's addressing as Graph accepts it: users('...'), percent-encoded `$`, guest UPNs with #EXT#, segments without
regard to case, `//`; and $batch answers in another order than the requests."""

import base64
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import SeededTestCase, png  # noqa: E402

DOLLAR = "$admin@fabrikam.example"
GUEST = "kim_partner.example#EXT#@fabrikam.example"
QUOTE = "o'brien@fabrikam.example"
ANN = "ann@fabrikam.example"


class AddressingTests(SeededTestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_folder("emu-addr-")
        cls.start_seeded({"domain": "fabrikam.example",
                          "apps": [{"clientId": "a1000000-0000-0000-0000-00000000000a", "secrets": ["s"],
                                    "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All"]}],
                          "users": [{"userPrincipalName": u} for u in (ANN, DOLLAR, GUEST, QUOTE)]})

    def setUp(self):
        self.emu.reset()
        self.token = self.emu.token()

    def get(self, path):
        return self.emu.json("GET", path, token=self.token)

    def upn(self, path):
        status, _, body = self.get(path)
        self.assertEqual(status, 200, (path, body))
        return body["userPrincipalName"]

    def put(self, path):
        return self.emu.json("PUT", path, png(64, 64), {"Content-Type": "image/png"}, self.token)

    def test_key_form_by_upn_and_id_with_quotes_escaped(self):
        ann_id = self.emu.state()["users"][ANN]["id"]
        self.assertEqual(self.upn(f"/v1.0/users('{ANN}')"), ANN)
        self.assertEqual(self.upn(f"/v1.0/users('{ann_id}')"), ANN)
        self.assertEqual(self.upn(f"/v1.0/users({ann_id})"), ANN)
        self.assertEqual(self.upn("/v1.0/users('o''brien@fabrikam.example')"), QUOTE)
        self.assertEqual(self.upn("/v1.0/users/o'brien@fabrikam.example"), QUOTE)
        self.assertEqual(self.put(f"/beta/users('{ANN}')/photo/$value")[0], 200)
        self.assertEqual(self.emu.state()["users"][ANN]["uploads"], 1)

    def test_a_upn_beginning_with_dollar_needs_the_key_form_as_on_graph(self):
        self.assertEqual(self.upn(f"/v1.0/users('{DOLLAR}')"), DOLLAR)
        self.assertEqual(self.upn("/v1.0/users('%24admin@fabrikam.example')"), DOLLAR)  # how photoprov sends it
        self.assertEqual(self.put("/v1.0/users('%24admin@fabrikam.example')/photo/$value")[0], 200)
        self.assertEqual(self.emu.state()["users"][DOLLAR]["uploads"], 1)
        for plain in (f"/v1.0/users/{DOLLAR}", "/v1.0/users/%24admin@fabrikam.example/photo/$value"):
            status, _, body = self.get(plain)
            self.assertEqual((status, body["error"]["code"]), (400, "BadRequest"), plain)
            self.assertIn("$admin@fabrikam.example", body["error"]["message"])

    def test_percent_encoded_dollar_in_segments_and_query(self):
        self.assertEqual(self.put(f"/v1.0/users/{ANN}/photo/%24value")[0], 200)
        status, headers, data = self.emu.call("GET", f"/v1.0/users/{ANN}/photo/%24value", token=self.token)
        self.assertEqual((status, headers["content-type"], data[:2]), (200, "image/jpeg", b"\xff\xd8"))
        status, _, body = self.get(f"/v1.0/users/{ANN}?%24select=id,userPrincipalName")
        self.assertEqual(set(body), {"@odata.context", "id", "userPrincipalName"})
        status, _, body = self.emu.json("POST", "/v1.0/%24batch", {"requests": [
            {"id": "1", "method": "GET", "url": f"/users/{ANN}"}]}, token=self.token)
        self.assertEqual((status, body["responses"][0]["status"]), (200, 200))

    def test_guest_upn_with_ext_percent_encoded(self):
        path = "/v1.0/users/" + GUEST.replace("#", "%23")
        status, _, body = self.get(path + "?$select=userPrincipalName,userType,mail")
        self.assertEqual(status, 200, body)
        self.assertEqual((body["userPrincipalName"], body["userType"], body["mail"]),
                         (GUEST, "Guest", "kim@partner.example"))
        self.assertEqual(self.put(path + "/photo/$value")[0], 200)
        self.assertEqual(self.upn("/v1.0/users('" + GUEST.replace("#", "%23") + "')"), GUEST)
        self.assertEqual(self.emu.state()["users"][GUEST]["uploads"], 1)

    def test_segments_without_regard_to_case_and_doubled_slashes(self):
        self.assertEqual(self.upn(f"/V1.0/Users/{ANN.upper()}"), ANN)
        self.assertEqual(self.put(f"/v1.0/USERS/{ANN}/PHOTO/$VALUE")[0], 200)
        self.assertEqual(self.upn(f"//v1.0//users//{ANN}"), ANN)
        status, _, meta = self.get(f"/beta//users/{ANN}//photo")
        self.assertEqual((status, meta["width"]), (200, 64))

    def test_unknown_segments_and_methods_are_named(self):
        status, _, body = self.get(f"/v1.0/users/{ANN}/fotos")
        self.assertEqual((status, body["error"]["code"]), (400, "BadRequest"))
        self.assertEqual(body["error"]["message"], "Resource not found for the segment 'fotos'.")
        status, _, body = self.get("/v1.0/userz")
        self.assertEqual(body["error"]["message"], "Resource not found for the segment 'userz'.")
        status, _, body = self.get("/v1.0/admin/people/photoUpdateSettings")
        self.assertEqual((status, body["error"]["message"]),
                         (400, "Resource not found for the segment 'photoUpdateSettings'."))
        status, _, body = self.emu.json("DELETE", f"/v1.0/users/{ANN}", token=self.token)
        self.assertEqual((status, body["error"]["code"]), (405, "Request_BadRequest"))

    def test_batch_answers_in_another_order_and_still_honours_depends_on(self):
        photo = png(64, 64)
        requests = [{"id": str(uuid.uuid4()), "method": "GET", "url": f"/users/{u}"} for u in (ANN, QUOTE, GUEST)]
        requests.append({"id": "put", "method": "PUT", "url": f"/users/{ANN}/photo/$value",
                         "headers": {"Content-Type": "image/png"}, "body": base64.b64encode(photo).decode()})
        requests.append({"id": "get", "method": "GET", "url": f"/users/{ANN}/photo", "dependsOn": ["put"]})
        status, _, body = self.emu.json("POST", "/v1.0/$batch", {"requests": requests}, token=self.token)
        self.assertEqual(status, 200)
        ids = [r["id"] for r in body["responses"]]
        self.assertNotEqual(ids, [r["id"] for r in requests])
        self.assertEqual(sorted(ids), sorted(r["id"] for r in requests))
        by_id = {r["id"]: r for r in body["responses"]}
        self.assertEqual(by_id["get"]["status"], 200)  # ran after its dependency
        self.assertEqual(by_id["get"]["body"]["width"], 64)
        self.assertEqual([by_id[r["id"]]["body"]["userPrincipalName"] for r in requests[:3]], [ANN, QUOTE, GUEST])
        for pair in (requests[:2], requests[3:]):
            status, _, body = self.emu.json("POST", "/v1.0/$batch", {"requests": pair}, token=self.token)
            self.assertEqual([r["id"] for r in body["responses"]], [pair[1]["id"], pair[0]["id"]])


if __name__ == "__main__":
    unittest.main()
