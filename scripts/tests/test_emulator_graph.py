"""Graph side of scripts/graph-emulator: users, $select/$filter, /me, photos and their errors, groups and teams,
$batch, routing."""

import base64
import hashlib
import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import EmulatorTestCase, jpeg_header, png  # noqa: E402

ADELE = "adele.vance@contoso.example"
LEE = "lee.gu@contoso.example"  # no mailbox
PHOTO = "/v1.0/users/{}/photo/$value"


def raw_exchange(emu, request):
    """Sends raw request bytes to the emulator and returns everything it answers until it closes the connection."""
    with socket.create_connection((emu.host, emu.port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


class UserTests(EmulatorTestCase):
    def setUp(self):
        super().setUp()
        self.token = self.emu.token()

    def test_get_user_by_upn_and_by_id_with_default_properties(self):
        status, _, user = self.emu.json("GET", f"/v1.0/users/{ADELE}", token=self.token)
        self.assertEqual(status, 200)
        self.assertEqual(user["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#users/$entity")
        self.assertEqual(user["userPrincipalName"], ADELE)
        self.assertEqual(user["displayName"], "Adele Vance")
        self.assertNotIn("employeeId", user)
        status, _, again = self.emu.json("GET", f"/beta/users/{user['id']}", token=self.token)
        self.assertEqual((status, again["userPrincipalName"]), (200, ADELE))
        status, _, upper = self.emu.json("GET", f"/v1.0/users/{ADELE.upper()}", token=self.token)
        self.assertEqual(upper["id"], user["id"])

    def test_select_returns_only_the_selected_properties(self):
        status, _, user = self.emu.json("GET", f"/v1.0/users/{ADELE}?$select=id,employeeId,accountEnabled",
                                        token=self.token)
        self.assertEqual(status, 200)
        self.assertEqual(set(user), {"@odata.context", "id", "employeeId", "accountEnabled"})
        self.assertEqual(user["employeeId"], "E1001")
        self.assertIn("users(id,employeeId,accountEnabled)", user["@odata.context"])

    def test_select_of_unknown_property_is_400(self):
        result = self.emu.json("GET", f"/v1.0/users/{ADELE}?$select=id,shoeSize", token=self.token)
        body = self.assertGraphError(result, 400, "BadRequest")
        self.assertIn("shoeSize", body["error"]["message"])

    def test_unknown_user_is_404_request_resource_not_found(self):
        body = self.assertGraphError(self.emu.json("GET", "/v1.0/users/ghost@contoso.example", token=self.token),
                                     404, "Request_ResourceNotFound")
        self.assertIn("ghost@contoso.example", body["error"]["message"])

    def test_filter_by_employee_id(self):
        status, _, body = self.emu.json("GET", "/v1.0/users?$filter=employeeId%20eq%20'E1003'&$select=id,"
                                               "userPrincipalName,employeeId", token=self.token)
        self.assertEqual(status, 200)
        self.assertEqual([u["userPrincipalName"] for u in body["value"]], ["megan.bowen@contoso.example"])
        status, _, body = self.emu.json("GET", "/v1.0/users?$filter=employeeId eq 'nobody'".replace(" ", "%20"),
                                        token=self.token)
        self.assertEqual((status, body["value"]), (200, []))

    def test_filter_with_in_and_upn(self):
        q = "$filter=userPrincipalName%20in%20('ADELE.VANCE@contoso.example','lee.gu@contoso.example')"
        status, _, body = self.emu.json("GET", "/v1.0/users?" + q, token=self.token)
        self.assertEqual(sorted(u["userPrincipalName"] for u in body["value"]), [ADELE, LEE])

    def test_unsupported_filter_is_400(self):
        self.assertGraphError(self.emu.json("GET", "/v1.0/users?$filter=startswith(displayName,'A')",
                                            token=self.token), 400, "Request_UnsupportedQuery")
        self.assertGraphError(self.emu.json("GET", "/v1.0/users?$filter=jobTitle%20eq%20'x'", token=self.token),
                              400, "Request_UnsupportedQuery")

    def test_list_pages_with_next_link(self):
        status, _, body = self.emu.json("GET", "/v1.0/users?$top=3&$select=id", token=self.token)
        self.assertEqual(len(body["value"]), 3)
        seen = [u["id"] for u in body["value"]]
        while "@odata.nextLink" in body:
            link = body["@odata.nextLink"]
            self.assertTrue(link.startswith(self.emu.url))
            status, _, body = self.emu.json("GET", link[len(self.emu.url):], token=self.token)
            seen += [u["id"] for u in body["value"]]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(len(seen), len(self.emu.state()["users"]))

    def test_me_needs_a_delegated_token(self):
        body = self.assertGraphError(self.emu.json("GET", "/v1.0/me", token=self.token), 400, "BadRequest")
        self.assertIn("delegated", body["error"]["message"])

    def test_unknown_segment_and_wrong_method(self):
        self.assertGraphError(self.emu.json("GET", "/v1.0/widgets", token=self.token), 400, "BadRequest")
        self.assertGraphError(self.emu.json("DELETE", f"/v1.0/users/{ADELE}", token=self.token), 405,
                              "Request_BadRequest")
        self.assertGraphError(self.emu.json("GET", "/v1.0/admin/people/photoUpdateSettings", token=self.token),
                              400, "BadRequest")


class PhotoErrorTests(EmulatorTestCase):
    def setUp(self):
        super().setUp()
        self.token = self.emu.token()

    def put(self, who, body, ctype="image/jpeg", method="PUT"):
        return self.emu.json(method, PHOTO.format(who), body, {"Content-Type": ctype}, self.token)

    def test_get_without_photo_is_404_image_not_found(self):
        body = self.assertGraphError(self.emu.json("GET", PHOTO.format(ADELE), token=self.token), 404,
                                     "ImageNotFound")
        self.assertIn("ImageNotFoundException", body["error"]["message"])
        self.assertGraphError(self.emu.json("GET", f"/v1.0/users/{ADELE}/photo", token=self.token), 404,
                              "ImageNotFound")

    def test_over_4_mb_is_413(self):
        big = jpeg_header(800, 800, size=4 * 1024 * 1024 + 1)
        self.assertGraphError(self.put(ADELE, big), 413, "RequestEntityTooLarge")
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 0)
        exactly = jpeg_header(800, 800, size=4 * 1024 * 1024)
        self.assertEqual(self.put(ADELE, exactly)[0], 200)

    def test_over_4_mb_announced_with_expect_is_refused_before_the_body_is_sent(self):
        data = raw_exchange(self.emu, (
            f"PUT {PHOTO.format(ADELE)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.token}\r\n"
            f"Content-Type: image/jpeg\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n").encode())
        self.assertTrue(data.startswith(b"HTTP/1.1 413 "), data[:100])
        self.assertIn(b"Connection: close", data)
        self.assertEqual(json.loads(data.split(b"\r\n\r\n", 1)[1])["error"]["code"], "RequestEntityTooLarge")

    def test_body_that_is_not_an_image_gets_the_real_internal_server_error(self):
        body = self.assertGraphError(self.put(ADELE, b"%PDF-1.4 not an image"), 500, "ErrorInternalServerError")
        self.assertIn("isn't an image", body["error"]["message"])
        self.assertGraphError(self.put(ADELE, jpeg_header(100, 100)[:12]), 500, "ErrorInternalServerError")
        self.assertGraphError(self.put(ADELE, b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "image/png"), 500,
                              "ErrorInternalServerError")

    def test_wrong_content_type_gets_graphs_internal_server_error(self):
        for ctype in ("application/octet-stream", "text/plain", ""):
            body = self.assertGraphError(self.put(ADELE, png(64, 64), ctype), 500, "ErrorInternalServerError")
            self.assertEqual(body["error"]["message"], "An internal server error occurred. The operation failed.")
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 0)

    def test_smaller_than_48_px_is_400_validation_width_too_small(self):
        self.assertGraphError(self.put(ADELE, png(47, 200), "image/png"), 400, "ValidationWidthTooSmall")
        self.assertGraphError(self.put(ADELE, jpeg_header(200, 40)), 400, "ValidationWidthTooSmall")
        self.assertEqual(self.put(ADELE, jpeg_header(48, 48))[0], 200)

    def test_progressive_jpeg_with_several_app_segments_is_measured(self):
        self.assertEqual(self.put(ADELE, jpeg_header(1024, 768, app_segments=3, progressive=True))[0], 200)
        user = self.emu.state()["users"][ADELE]
        self.assertEqual((user["width"], user["height"]), (1024, 768))

    def test_unknown_user_is_404(self):
        self.assertGraphError(self.put("ghost@contoso.example", png(64, 64), "image/png"), 404,
                              "Request_ResourceNotFound")

    def test_user_without_mailbox_gets_mailbox_not_enabled(self):
        body = self.assertGraphError(self.put(LEE, png(64, 64), "image/png"), 404, "MailboxNotEnabledForRESTAPI")
        self.assertIn("mailbox", body["error"]["message"])
        self.assertGraphError(self.emu.json("GET", PHOTO.format(LEE), token=self.token), 404,
                              "MailboxNotEnabledForRESTAPI")

    def test_patch_delete_and_etag_changes_on_every_upload(self):
        self.assertEqual(self.put(ADELE, png(64, 64), "image/png")[0], 200)
        first = self.emu.json("GET", f"/v1.0/users/{ADELE}/photo", token=self.token)[2]["@odata.mediaEtag"]
        self.assertEqual(self.put(ADELE, png(64, 64), "image/png", method="PATCH")[0], 200)
        meta = self.emu.json("GET", f"/v1.0/users/{ADELE}/photo", token=self.token)[2]
        self.assertNotEqual(meta["@odata.mediaEtag"], first)
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 2)
        status, headers, _ = self.emu.call("GET", PHOTO.format(ADELE), token=self.token)
        self.assertEqual(headers["etag"], meta["@odata.mediaEtag"])
        status, headers, data = self.emu.call("DELETE", PHOTO.format(ADELE), token=self.token)
        self.assertEqual((status, data), (204, b""))
        self.assertNotIn("content-length", headers)
        self.assertIsNone(self.emu.state()["users"][ADELE]["sha256"])
        self.assertGraphError(self.emu.json("DELETE", PHOTO.format(ADELE), token=self.token), 404, "ImageNotFound")

    def test_post_to_photo_is_405(self):
        self.assertGraphError(self.put(ADELE, png(64, 64), "image/png", method="POST"), 405, "Request_BadRequest")

    def test_disabled_user_photo_can_still_be_set(self):
        self.assertEqual(self.put("joni.sherman@contoso.example", png(64, 64), "image/png")[0], 200)


class GroupAndTeamPhotoTests(EmulatorTestCase):
    def setUp(self):
        super().setUp()
        self.token = self.emu.token()
        state = self.emu.state()
        self.group = next(iter(state["groups"]))
        self.team = next(iter(state["teams"]))

    def test_group_photo_round_trip(self):
        path = f"/v1.0/groups/{self.group}/photo/$value"
        self.assertGraphError(self.emu.json("GET", path, token=self.token), 404, "ImageNotFound")
        status, _, _ = self.emu.call("PUT", path, png(96, 96), {"Content-Type": "image/png"}, self.token)
        self.assertEqual(status, 200)
        meta = self.emu.json("GET", f"/v1.0/groups/{self.group}/photo", token=self.token)[2]
        self.assertEqual((meta["width"], meta["height"]), (96, 96))
        group = self.emu.state()["groups"][self.group]
        self.assertEqual((group["uploads"], group["displayName"]), (1, "All Company"))
        self.assertEqual(self.emu.call("DELETE", path, token=self.token)[0], 204)

    def test_team_photo_put_and_get(self):
        path = f"/beta/teams/{self.team}/photo/$value"
        body = jpeg_header(240, 240)
        status, headers, data = self.emu.call("PUT", path, body, {"Content-Type": "image/jpeg"}, self.token)
        self.assertEqual((status, data), (204, b""))  # profilephoto-update: a team photo answers 204
        self.assertEqual(self.emu.call("GET", path, token=self.token)[2], body)
        self.assertEqual(self.emu.state()["teams"][self.team]["uploads"], 1)
        self.assertGraphError(self.emu.json("DELETE", path, token=self.token), 405, "Request_BadRequest")

    def test_unknown_group_and_team(self):
        for kind in ("groups", "teams"):
            self.assertGraphError(self.emu.json("PUT", f"/v1.0/{kind}/00000000-0000-0000-0000-000000000000/photo/"
                                                       "$value", png(64, 64), {"Content-Type": "image/png"},
                                                self.token), 404, "Request_ResourceNotFound")

    def test_get_group_and_team_objects(self):
        status, _, group = self.emu.json("GET", f"/v1.0/groups/{self.group}", token=self.token)
        self.assertEqual((status, group["displayName"]), (200, "All Company"))
        status, _, team = self.emu.json("GET", f"/v1.0/teams/{self.team}", token=self.token)
        self.assertEqual((status, team["displayName"]), (200, "Photo Team"))


class BatchTests(EmulatorTestCase):
    def setUp(self):
        super().setUp()
        self.token = self.emu.token()

    def batch(self, requests, version="v1.0"):
        return self.emu.json("POST", f"/{version}/$batch", {"requests": requests}, token=self.token)

    def test_per_request_status_headers_and_bodies(self):
        photo = png(64, 64)
        status, _, body = self.batch([
            {"id": "1", "method": "GET", "url": f"/users/{ADELE}?$select=id,employeeId"},
            {"id": "2", "method": "GET", "url": "/users/ghost@contoso.example"},
            {"id": "3", "method": "PUT", "url": f"/users/{ADELE}/photo/$value",
             "headers": {"Content-Type": "image/png"}, "body": base64.b64encode(photo).decode()},
            {"id": "4", "method": "GET", "url": f"users/{ADELE}/photo/$value", "dependsOn": ["3"]},
            {"id": "5", "method": "GET", "url": "/users?$filter=employeeId%20eq%20'E1002'&$select=id"},
        ])
        self.assertEqual(status, 200)
        by_id = {r["id"]: r for r in body["responses"]}
        self.assertEqual(by_id["1"]["status"], 200)
        self.assertEqual(by_id["1"]["body"]["employeeId"], "E1001")
        self.assertEqual(by_id["2"]["status"], 404)
        self.assertEqual(by_id["2"]["body"]["error"]["code"], "Request_ResourceNotFound")
        self.assertEqual(by_id["3"]["status"], 200)
        self.assertEqual(by_id["4"]["status"], 200)
        # Graph holds a PNG upload re-encoded as JPEG.
        self.assertEqual(by_id["4"]["headers"]["Content-Type"], "image/jpeg")
        held = base64.b64decode(by_id["4"]["body"])
        self.assertEqual(held[:2], b"\xff\xd8")
        self.assertEqual(hashlib.sha256(held).hexdigest(), self.emu.state()["users"][ADELE]["sha256"])
        self.assertEqual(len(by_id["5"]["body"]["value"]), 1)
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 1)

    def test_failed_dependency_is_424(self):
        status, _, body = self.batch([
            {"id": "a", "method": "GET", "url": "/users/ghost@contoso.example"},
            {"id": "b", "method": "GET", "url": f"/users/{ADELE}", "dependsOn": ["a"]}])
        self.assertEqual({r["id"]: r["status"] for r in body["responses"]}, {"a": 404, "b": 424})

    def test_more_than_20_requests_is_400(self):
        items = [{"id": str(i), "method": "GET", "url": f"/users/{ADELE}"} for i in range(21)]
        result = self.batch(items)
        self.assertGraphError(result, 400, "BadRequest")
        self.assertEqual(self.batch(items[:20])[0], 200)

    def test_malformed_batches_are_400(self):
        for payload in (b"not json", b"{}", b'{"requests": []}', b'{"requests": [{"id": "1"}]}',
                        b'{"requests": [{"id": "1", "method": "GET", "url": "/me"}, '
                        b'{"id": "1", "method": "GET", "url": "/me"}]}',
                        b'{"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]}'):
            result = self.emu.json("POST", "/v1.0/$batch", payload, {"Content-Type": "application/json"},
                                   self.token)
            self.assertGraphError(result, 400, "BadRequest")

    def test_batch_needs_a_token_and_post(self):
        self.assertGraphError(self.emu.json("POST", "/v1.0/$batch", {"requests": []}), 401,
                              "InvalidAuthenticationToken")
        self.assertGraphError(self.emu.json("GET", "/v1.0/$batch", token=self.token), 405, "Request_BadRequest")

    def test_json_body_in_batch_patches_policy_under_beta(self):
        status, _, body = self.batch([{"id": "1", "method": "PATCH", "url": "/admin/people/photoUpdateSettings",
                                       "headers": {"Content-Type": "application/json"},
                                       "body": {"source": "onPremises"}}], version="beta")
        self.assertEqual(body["responses"][0]["status"], 200, body)
        self.assertEqual(self.emu.state()["policy"]["source"], "onPremises")


class KeepAliveTests(EmulatorTestCase):
    def test_many_requests_share_one_connection(self):
        token = self.emu.token()
        conn = self.emu.connection()
        try:
            conn.request("GET", f"/v1.0/users/{ADELE}", headers={"Authorization": "Bearer " + token})
            conn.getresponse().read()
            sock = conn.sock
            for _ in range(20):
                conn.request("PUT", PHOTO.format(ADELE), body=png(64, 64),
                             headers={"Authorization": "Bearer " + token, "Content-Type": "image/png"})
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, 200)
                self.assertIs(conn.sock, sock)
        finally:
            conn.close()
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 20)

    def test_concurrent_uploads_from_many_connections_are_all_counted(self):
        import threading
        token = self.emu.token()
        users = [u for u in self.emu.state()["users"] if not u.startswith("lee.gu")]
        errors = []

        def worker(upn):
            conn = self.emu.connection()
            try:
                for _ in range(10):
                    conn.request("PUT", PHOTO.format(upn), body=png(64, 64),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "image/png"})
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status != 200:
                        errors.append(resp.status)
            finally:
                conn.close()

        threads = [threading.Thread(target=worker, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        state = self.emu.state()
        self.assertEqual([state["users"][u]["uploads"] for u in users], [10] * len(users))
        self.assertEqual(state["requests"]["200"], 10 * len(users) + 1)

    def test_chunked_upload_and_expect_continue(self):
        token = self.emu.token()
        body = png(80, 80)
        conn = self.emu.connection()
        try:
            conn.putrequest("PUT", PHOTO.format(ADELE))
            conn.putheader("Authorization", "Bearer " + token)
            conn.putheader("Content-Type", "image/png")
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            for i in range(0, len(body), 100):
                part = body[i:i + 100]
                conn.send(b"%x\r\n" % len(part) + part + b"\r\n")
            conn.send(b"0\r\n\r\n")
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
        finally:
            conn.close()
        sock = socket.create_connection((self.emu.host, self.emu.port), timeout=5)
        try:
            sock.sendall((f"PUT {PHOTO.format(ADELE)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                          f"Content-Type: image/png\r\nExpect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n")
                         .encode())
            self.assertTrue(sock.recv(100).startswith(b"HTTP/1.1 100 Continue"))
            sock.sendall(body)
            self.assertTrue(sock.recv(1000).startswith(b"HTTP/1.1 200 OK"))
        finally:
            sock.close()
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 2)

    def test_http_1_0_closes_and_listens_on_loopback_only(self):
        self.assertEqual(self.emu.host, "127.0.0.1")
        data = raw_exchange(self.emu, b"GET /_emulator/state HTTP/1.0\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 200 OK"))
        self.assertIn(b"Connection: close", data)
        self.assertIn("users", json.loads(data.split(b"\r\n\r\n", 1)[1]))


if __name__ == "__main__":
    unittest.main()
