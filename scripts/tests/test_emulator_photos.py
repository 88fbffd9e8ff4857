"""Photo semantics from Graph's reference pages (profilephoto-get, profilephoto-update, resources/profilephoto):
status codes and bodies, ImageNotFound, ETag and Cache-Control, PNG held as JPEG, ETags that change at every upload;
photos a seed gives, and the test hook that changes a photo as if its owner set it in Teams."""

import hashlib
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import SeededTestCase, jpeg_header, png  # noqa: E402

ANN, BEA, CY = "ann@fabrikam.example", "bea@fabrikam.example", "cy@fabrikam.example"
GROUP = "d0000000-0000-0000-0000-00000000000d"
TEAM = "e0000000-0000-0000-0000-00000000000e"
NOT_FOUND = "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown."


class PhotoSemanticsTests(SeededTestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_folder("emu-photos-")
        cls.ann_photo = jpeg_header(300, 200, size=4000)
        cls.group_photo = jpeg_header(120, 120)
        for name, data in (("ann.jpg", cls.ann_photo), ("cy.png", png(80, 60)), ("group.jpg", cls.group_photo)):
            with open(os.path.join(cls.tmp, name), "wb") as f:
                f.write(data)
        cls.start_seeded({"domain": "fabrikam.example",
                          "apps": [{"clientId": "a1000000-0000-0000-0000-00000000000a", "secrets": ["s"],
                                    "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All",
                                              "TeamSettings.ReadWrite.All"]}],
                          "users": [{"userPrincipalName": ANN, "photo": "ann.jpg"}, {"userPrincipalName": BEA},
                                    {"userPrincipalName": CY, "photo": "cy.png"}],
                          "groups": [{"id": GROUP, "displayName": "G", "photo": "group.jpg"}],
                          "teams": [{"id": TEAM, "displayName": "T"}]})

    def setUp(self):
        self.emu.reset()
        self.token = self.emu.token()

    def put(self, path, body, ctype="image/jpeg", method="PUT"):
        return self.emu.call(method, f"/v1.0/{path}/photo/$value", body, {"Content-Type": ctype}, self.token)

    def test_user_and_group_writes_answer_200_with_an_empty_body_and_teams_204(self):
        for path in (f"users/{BEA}", f"groups/{GROUP}"):
            for method in ("PUT", "PATCH"):
                status, headers, data = self.put(path, jpeg_header(64, 64), method=method)
                self.assertEqual((status, data, headers["content-length"]), (200, b"", "0"), (path, method))
        status, headers, data = self.put(f"teams/{TEAM}", jpeg_header(64, 64))
        self.assertEqual((status, data), (204, b""))
        self.assertNotIn("content-length", headers)
        self.assertEqual(self.emu.state()["teams"][TEAM]["uploads"], 1)

    def test_a_missing_photo_is_404_image_not_found_with_graphs_message(self):
        for path in (f"/v1.0/users/{BEA}/photo", f"/v1.0/users/{BEA}/photo/$value", f"/beta/teams/{TEAM}/photo",
                     f"/v1.0/teams/{TEAM}/photo/$value"):
            body = self.assertGraphError(self.emu.json("GET", path, token=self.token), 404, "ImageNotFound")
            self.assertEqual(body["error"]["message"], NOT_FOUND)

    def test_value_carries_the_etag_of_the_metadata_and_cache_control(self):
        status, headers, data = self.emu.call("GET", f"/v1.0/users/{ANN}/photo/$value", token=self.token)
        self.assertEqual((status, headers["content-type"], headers["cache-control"]), (200, "image/jpeg", "private"))
        _, _, meta = self.emu.json("GET", f"/v1.0/users/{ANN}/photo", token=self.token)
        self.assertRegex(headers["etag"], r'^"[0-9A-F]{8}"$')
        self.assertEqual(meta["@odata.mediaEtag"], headers["etag"])
        self.assertEqual((meta["@odata.mediaContentType"], meta["id"], meta["width"], meta["height"]),
                         ("image/jpeg", "300X200", 300, 200))
        self.assertEqual(self.emu.state()["users"][ANN]["etag"], headers["etag"])

    def test_etag_changes_at_every_upload_even_of_identical_bytes(self):
        body = jpeg_header(64, 64)
        etags = []
        for _ in range(3):
            self.assertEqual(self.put(f"users/{BEA}", body)[0], 200)
            etags.append(self.emu.call("GET", f"/v1.0/users/{BEA}/photo/$value", token=self.token)[1]["etag"])
        self.assertEqual(len(set(etags)), 3, etags)
        state = self.emu.state()["users"][BEA]
        self.assertEqual((state["uploads"], state["etag"], state["sha256"]),
                         (3, etags[-1], hashlib.sha256(body).hexdigest()))

    def test_png_is_accepted_and_held_as_a_jpeg_of_the_same_size(self):
        self.assertEqual(self.put(f"users/{BEA}", png(100, 70), "image/png")[0], 200)
        status, headers, data = self.emu.call("GET", f"/v1.0/users/{BEA}/photo/$value", token=self.token)
        self.assertEqual((headers["content-type"], data[:3]), ("image/jpeg", b"\xff\xd8\xff"))
        state = self.emu.state()["users"][BEA]
        self.assertEqual((state["contentType"], state["width"], state["height"], state["sha256"]),
                         ("image/jpeg", 100, 70, hashlib.sha256(data).hexdigest()))

    @unittest.skipUnless(shutil.which("djpeg"), "djpeg (libjpeg-turbo-progs) is not installed")
    def test_the_held_jpeg_decodes_to_the_uploaded_picture(self):
        self.assertEqual(self.put(f"users/{BEA}", png(100, 70), "image/png")[0], 200)
        data = self.emu.call("GET", f"/v1.0/users/{BEA}/photo/$value", token=self.token)[2]
        proc = subprocess.run(["djpeg", "-pnm"], input=data, capture_output=True, check=True)
        magic, size, _, pixels = proc.stdout.split(b"\n", 3)
        self.assertEqual((magic, size), (b"P6", b"100 70"))
        for channel, expected in enumerate((0x80, 0x40, 0x20)):  # png() paints every pixel this colour
            values = pixels[channel::3]
            self.assertLess(abs(sum(values) / len(values) - expected), 3)

    def test_photos_the_seed_gives_are_there_from_the_start_and_come_back_at_reset(self):
        state = self.emu.state()
        self.assertEqual((state["users"][ANN]["sha256"], state["users"][ANN]["uploads"]),
                         (hashlib.sha256(self.ann_photo).hexdigest(), 0))
        self.assertEqual(state["groups"][GROUP]["sha256"], hashlib.sha256(self.group_photo).hexdigest())
        self.assertEqual(self.emu.call("GET", f"/v1.0/users/{ANN}/photo/$value", token=self.token)[2], self.ann_photo)
        self.assertEqual((state["users"][CY]["contentType"], state["users"][CY]["width"]), ("image/jpeg", 80))
        self.assertIsNone(state["users"][BEA]["sha256"])
        self.put(f"users/{ANN}", jpeg_header(64, 64))
        self.put(f"users/{BEA}", jpeg_header(64, 64))
        self.emu.reset()
        state = self.emu.state()
        self.assertEqual(state["users"][ANN]["sha256"], hashlib.sha256(self.ann_photo).hexdigest())
        self.assertIsNone(state["users"][BEA]["sha256"])

    def test_hook_changes_a_photo_as_if_its_owner_set_it(self):
        before = self.emu.state()["users"][ANN]["etag"]
        teams_photo = jpeg_header(96, 96, size=3000)
        for _ in range(2):  # the same bytes twice: a new ETag each time
            status, _, answer = self.emu.json("PUT", f"/_emulator/users/{ANN}/photo", teams_photo)
            self.assertEqual(status, 200, answer)
            self.assertNotEqual(answer["etag"], before)
            before = answer["etag"]
        state = self.emu.state()["users"][ANN]
        self.assertEqual((state["uploads"], state["etag"], state["sha256"]),
                         (0, answer["etag"], hashlib.sha256(teams_photo).hexdigest()))
        status, headers, data = self.emu.call("GET", f"/v1.0/users/{ANN}/photo/$value", token=self.token)
        self.assertEqual((data, headers["etag"]), (teams_photo, answer["etag"]))
        user_id = state["id"]
        self.assertEqual(self.emu.json("PUT", f"/_emulator/users/{user_id}/photo", png(60, 60))[0], 200)
        self.assertEqual(self.emu.json("PUT", f"/_emulator/groups/{GROUP}/photo", png(60, 60))[0], 200)
        self.assertEqual(self.emu.json("PUT", "/_emulator/users/ghost@fabrikam.example/photo", png(60, 60))[0], 404)
        self.assertEqual(self.emu.json("PUT", f"/_emulator/users/{ANN}/photo", b"not an image")[0], 400)

    def test_delete_answers_204_then_404_and_teams_photos_cannot_be_deleted(self):
        status, _, data = self.emu.call("DELETE", f"/v1.0/users/{ANN}/photo/$value", token=self.token)
        self.assertEqual((status, data), (204, b""))
        self.assertGraphError(self.emu.json("DELETE", f"/v1.0/users/{ANN}/photo/$value", token=self.token), 404,
                              "ImageNotFound")
        self.put(f"teams/{TEAM}", jpeg_header(64, 64))
        self.assertGraphError(self.emu.json("DELETE", f"/v1.0/teams/{TEAM}/photo/$value", token=self.token), 405,
                              "Request_BadRequest")
        self.assertEqual(self.emu.state()["teams"][TEAM]["uploads"], 1)


class SeedPhotoErrorTests(unittest.TestCase):
    def test_a_seed_photo_that_is_missing_or_not_an_image_stops_the_start(self):
        import json
        import tempfile
        from emulator_harness import EMULATOR
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "bad.jpg"), "wb") as f:
                f.write(b"no image")
            for photo, message in (("missing.jpg", "missing.jpg"), ("bad.jpg", "not a JPEG or PNG")):
                path = os.path.join(tmp, "seed.json")
                with open(path, "w") as f:
                    json.dump({"users": [{"userPrincipalName": "a@b.example", "photo": photo}]}, f)
                proc = subprocess.run([sys.executable, EMULATOR, "--seed", path], capture_output=True, text=True,
                                      timeout=20)
                self.assertEqual(proc.returncode, 2)
                self.assertIn(message, proc.stderr)
                self.assertIn("a@b.example", proc.stderr)


if __name__ == "__main__":
    unittest.main()
