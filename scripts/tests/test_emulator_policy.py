"""Photo policy (photoUpdateSettings) and permission checks of scripts/graph-emulator."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import (GLOBAL_ADMIN, PEOPLE_ADMIN, USER_ADMIN, Emulator, EmulatorTestCase,  # noqa: E402
                              SeededTestCase, png)

ADELE = "adele.vance@contoso.example"
PHOTO = "/v1.0/users/{}/photo/$value"
SETTINGS = "/beta/admin/people/photoUpdateSettings"


class PolicyTests(EmulatorTestCase):
    def put(self, token, who=ADELE):
        return self.emu.json("PUT", PHOTO.format(who), png(64, 64), {"Content-Type": "image/png"}, token)

    def test_get_default_policy(self):
        status, _, body = self.emu.json("GET", SETTINGS, token=self.emu.token())
        self.assertEqual(status, 200)
        self.assertEqual((body["source"], body["allowedRoles"]), ("cloud", []))
        self.assertIn("photoUpdateSettings", body["@odata.context"])

    def test_patch_to_on_premises_blocks_every_writer(self):
        app = self.emu.token()
        status, _, body = self.emu.json("PATCH", SETTINGS, {"source": "onPremises"}, token=app)
        self.assertEqual((status, body["source"]), (200, "onPremises"))
        self.assertEqual(self.emu.state()["policy"]["source"], "onPremises")
        self.assertGraphError(self.put(app), 403, "ForbiddenByAdmindEditPolicy")
        admin = self.emu.device_token("global.admin@contoso.example")["access_token"]
        self.assertGraphError(self.put(admin), 403, "ForbiddenByAdmindEditPolicy")
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 0)
        # Reading is unaffected.
        self.assertGraphError(self.emu.json("GET", PHOTO.format(ADELE), token=app), 404, "ImageNotFound")

    def test_allowed_roles_block_delegated_callers_without_the_role_but_not_apps(self):
        app = self.emu.token()
        status, _, body = self.emu.json("PATCH", SETTINGS, {"allowedRoles": [PEOPLE_ADMIN]}, token=app)
        self.assertEqual((status, body["allowedRoles"]), (200, [PEOPLE_ADMIN]))
        user_admin = self.emu.device_token("user.admin@contoso.example")["access_token"]
        body = self.assertGraphError(self.put(user_admin), 403, "ForbiddenByAdmindEditPolicy")
        self.assertIn("ForbiddenByAdmindEditPolicy", body["error"]["message"])
        # Even one's own photo.
        own = self.emu.device_token(ADELE, scope="User.ReadWrite")["access_token"]
        self.assertGraphError(self.emu.json("PUT", "/v1.0/me/photo/$value", png(64, 64),
                                            {"Content-Type": "image/png"}, own), 403, "ForbiddenByAdmindEditPolicy")
        people_admin = self.emu.device_token("people.admin@contoso.example")["access_token"]
        self.assertEqual(self.put(people_admin)[0], 200)
        self.assertEqual(self.put(app)[0], 200)
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 2)

    def test_delegated_writes_to_others_need_an_admin_role(self):
        plain = self.emu.device_token("alex.wilber@contoso.example")["access_token"]
        self.assertGraphError(self.put(plain), 403, "Authorization_RequestDenied")
        own = self.emu.device_token(ADELE, scope="User.Read User.ReadWrite")["access_token"]
        self.assertEqual(self.emu.json("PUT", "/v1.0/me/photo/$value", png(64, 64), {"Content-Type": "image/png"},
                                       own)[0], 200)
        status, _, meta = self.emu.json("GET", "/v1.0/me/photo", token=own)
        self.assertEqual((status, meta["width"]), (200, 64))
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 1)

    def test_me_photo_read_with_user_read_only_and_write_denied(self):
        token = self.emu.device_token(ADELE, scope="User.Read")["access_token"]
        self.assertGraphError(self.emu.json("GET", "/v1.0/me/photo/$value", token=token), 404, "ImageNotFound")
        self.assertGraphError(self.emu.json("PUT", "/v1.0/me/photo/$value", png(64, 64),
                                            {"Content-Type": "image/png"}, token), 403, "Authorization_RequestDenied")

    def test_delegated_patch_needs_people_or_global_admin(self):
        user_admin = self.emu.device_token("user.admin@contoso.example")["access_token"]
        self.assertGraphError(self.emu.json("PATCH", SETTINGS, {"source": "cloud"}, token=user_admin), 403,
                              "Authorization_RequestDenied")
        people_admin = self.emu.device_token("people.admin@contoso.example")["access_token"]
        self.assertEqual(self.emu.json("PATCH", SETTINGS, {"allowedRoles": [GLOBAL_ADMIN]}, token=people_admin)[0],
                         200)
        self.assertGraphError(self.put(people_admin), 403, "ForbiddenByAdmindEditPolicy")

    def test_invalid_patches_are_400(self):
        app = self.emu.token()
        for body in ({"source": "ldap"}, {"allowedRoles": "x"}, {"colour": "blue"}):
            self.assertGraphError(self.emu.json("PATCH", SETTINGS, body, token=app), 400, "BadRequest")
        self.assertGraphError(self.emu.json("PATCH", SETTINGS, b"{nope", {"Content-Type": "application/json"},
                                            app), 400, "BadRequest")
        self.assertGraphError(self.emu.json("DELETE", SETTINGS, token=app), 405, "Request_BadRequest")

    def test_reset_restores_the_start_up_policy(self):
        self.emu.json("PATCH", SETTINGS, {"source": "onPremises", "allowedRoles": [USER_ADMIN]},
                      token=self.emu.token())
        self.emu.reset()
        self.assertEqual(self.emu.state()["policy"], {"source": "cloud", "allowedRoles": []})


class PolicyFlagTests(unittest.TestCase):
    def test_policy_flags_set_the_policy_at_start(self):
        emu = Emulator("--policy-source", "onPremises", "--policy-roles", "PeopleAdministrator," + USER_ADMIN)
        try:
            self.assertEqual(emu.state()["policy"], {"source": "onPremises",
                                                     "allowedRoles": [PEOPLE_ADMIN, USER_ADMIN]})
            status, _, body = emu.json("PUT", PHOTO.format(ADELE), png(64, 64), {"Content-Type": "image/png"},
                                       emu.token())
            self.assertEqual((status, body["error"]["code"]), (403, "ForbiddenByAdmindEditPolicy"))
        finally:
            emu.stop()


class PermissionTests(SeededTestCase):
    """An app granted only User.Read.All, and one granted nothing."""

    @classmethod
    def setUpClass(cls):
        cls.make_folder("emu-perm-")
        seed = {"domain": "tailspin.example", "apps": [
            {"clientId": "b0000000-0000-0000-0000-00000000000b", "secrets": ["reader"], "roles": ["User.Read.All"]},
            {"clientId": "c0000000-0000-0000-0000-00000000000c", "secrets": ["nothing"]}],
            "users": [{"userPrincipalName": "bo@tailspin.example", "employeeId": "7"}],
            "groups": [{"id": "d0000000-0000-0000-0000-00000000000d", "displayName": "G"}],
            "policy": {"source": "cloud", "allowedRoles": ["PeopleAdministrator"]}}
        cls.start_seeded(seed)

    def test_single_tenant_seed_prints_its_first_app(self):
        self.assertEqual(self.emu.client_id, "b0000000-0000-0000-0000-00000000000b")
        self.assertEqual(self.emu.secret, "reader")
        self.assertEqual(self.emu.state()["policy"]["allowedRoles"], [PEOPLE_ADMIN])

    def test_missing_permissions_are_403_authorization_request_denied(self):
        reader = self.emu.token(secret="reader")
        self.assertEqual(self.emu.json("GET", "/v1.0/users/bo@tailspin.example", token=reader)[0], 200)
        for method, path, body in (("PUT", PHOTO.format("bo@tailspin.example"), png(64, 64)),
                                   ("PUT", "/v1.0/groups/d0000000-0000-0000-0000-00000000000d/photo/$value",
                                    png(64, 64)),
                                   ("GET", SETTINGS, None), ("PATCH", SETTINGS, b"{}")):
            status, headers, data = self.emu.json(method, path, body, {"Content-Type": "image/png"}, reader)
            self.assertEqual((status, data["error"]["code"]), (403, "Authorization_RequestDenied"), path)
            self.assertEqual(data["error"]["message"], "Insufficient privileges to complete the operation.")
        nothing = self.emu.token(client_id="c0000000-0000-0000-0000-00000000000c", secret="nothing")
        self.assertNotIn("roles", __import__("emulator_harness").jwt_claims(nothing))
        status, _, data = self.emu.json("GET", "/v1.0/users/bo@tailspin.example", token=nothing)
        self.assertEqual((status, data["error"]["code"]), (403, "Authorization_RequestDenied"))
        status, _, data = self.emu.json("GET", "/v1.0/users?$filter=employeeId%20eq%20'7'", token=nothing)
        self.assertEqual(status, 403)


if __name__ == "__main__":
    unittest.main()
