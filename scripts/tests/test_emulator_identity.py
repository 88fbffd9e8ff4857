"""Managed identity on the emulator's base URL: the instance metadata service (IMDS) and the App Service / Container
Apps endpoint, answered as Azure answers them, with tokens Graph accepts."""

import os
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import EmulatorTestCase, SeededTestCase, jwt_claims, png  # noqa: E402

GRAPH = "https://graph.microsoft.com"
SYSTEM = "5a0c3e1f-7b2d-4c9a-8e6f-1d2c3b4a5f60"  # the demo tenant's identities (scripts/graph-emulator --help)
USER_ASSIGNED = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
ADELE = "adele.vance@contoso.example"
IMDS = "/metadata/identity/oauth2/token"
APP_SERVICE = "/msi/token"
HEADER = "graph-emulator-identity-header"


def query(**fields):
    return "?" + urllib.parse.urlencode(fields)


class IMDSTests(EmulatorTestCase):
    def imds(self, headers=None, **fields):
        fields.setdefault("api-version", "2018-02-01")
        fields.setdefault("resource", GRAPH)
        return self.emu.json("GET", IMDS + query(**fields), headers={"Metadata": "true"} if headers is None else
                             headers)

    def test_system_assigned_token_answered_as_imds_does_and_accepted_by_graph(self):
        before = int(time.time())
        status, headers, body = self.imds()
        self.assertEqual(status, 200, body)
        self.assertEqual(set(body), {"access_token", "client_id", "expires_in", "expires_on", "ext_expires_in",
                                     "not_before", "resource", "token_type"})
        self.assertTrue(all(isinstance(v, str) for v in body.values()), body)  # IMDS answers strings
        self.assertEqual((body["client_id"], body["resource"], body["token_type"]), (SYSTEM, GRAPH, "Bearer"))
        claims = jwt_claims(body["access_token"])
        self.assertEqual(int(body["expires_on"]), claims["exp"])
        self.assertGreaterEqual(int(body["expires_on"]), before + 3599)
        self.assertEqual((claims["appid"], claims["idtyp"], claims["aud"]), (SYSTEM, "app", GRAPH))
        self.assertIn("ProfilePhoto.ReadWrite.All", claims["roles"])
        self.assertEqual(self.emu.call("PUT", f"/v1.0/users/{ADELE}/photo/$value", png(64, 64),
                                       {"Content-Type": "image/png"}, body["access_token"])[0], 200)

    def test_user_assigned_identity_by_client_id_object_id_or_resource_id(self):
        _, _, by_client = self.imds(client_id=USER_ASSIGNED)
        self.assertEqual(by_client["client_id"], USER_ASSIGNED)
        claims = jwt_claims(by_client["access_token"])
        self.assertEqual(claims["appid"], USER_ASSIGNED)
        _, _, by_object = self.imds(object_id=claims["oid"])
        self.assertEqual(by_object["client_id"], USER_ASSIGNED)
        _, _, by_resource = self.imds(msi_res_id=claims["xms_mirid"])
        self.assertEqual(by_resource["client_id"], USER_ASSIGNED)
        self.assertTrue(claims["xms_mirid"].endswith("/userAssignedIdentities/id-photoprov"))

    def test_errors_azure_gives(self):
        status, _, body = self.imds(headers={})
        self.assertEqual((status, body["error"]), (400, "bad_request_102"))
        self.assertEqual(body["error_description"], "Required metadata header not specified")
        self.assertEqual(self.imds(headers={"Metadata": "True"})[0], 400)  # "true", in lower case
        status, _, body = self.imds(client_id="00000000-0000-0000-0000-000000000000")
        self.assertEqual((status, body["error_description"]), (400, "Identity not found"))
        status, _, body = self.imds(resource="https://vault.azure.net")
        self.assertEqual((status, body["error"], body["error_codes"]), (400, "invalid_resource", [500011]))
        status, _, body = self.emu.json("GET", IMDS + query(resource=GRAPH), headers={"Metadata": "true"})
        self.assertEqual(status, 400)
        self.assertIn("api-version", body["error_description"])
        self.assertEqual(self.imds(client_id=USER_ASSIGNED, object_id="x")[0], 400)


class AppServiceTests(EmulatorTestCase):
    def call(self, header=HEADER, **fields):
        fields.setdefault("api-version", "2019-08-01")
        fields.setdefault("resource", GRAPH)
        headers = {"X-IDENTITY-HEADER": header} if header else {}
        return self.emu.json("GET", APP_SERVICE + query(**fields), headers=headers)

    def test_system_and_user_assigned_tokens_answered_as_app_service_does(self):
        status, _, body = self.call()
        self.assertEqual(status, 200, body)
        self.assertEqual(set(body), {"access_token", "expires_on", "not_before", "resource", "token_type",
                                     "client_id"})
        self.assertEqual((body["client_id"], body["resource"]), (SYSTEM, GRAPH))
        self.assertEqual(int(body["expires_on"]), jwt_claims(body["access_token"])["exp"])
        status, _, user = self.emu.json("GET", f"/v1.0/users/{ADELE}", token=body["access_token"])
        self.assertEqual((status, user["userPrincipalName"]), (200, ADELE))
        _, _, body = self.call(client_id=USER_ASSIGNED)
        self.assertEqual(jwt_claims(body["access_token"])["appid"], USER_ASSIGNED)
        oid = jwt_claims(body["access_token"])["oid"]
        for name in ("principal_id", "object_id"):
            self.assertEqual(self.call(**{name: oid})[2]["client_id"], USER_ASSIGNED)
        mirid = jwt_claims(body["access_token"])["xms_mirid"]
        self.assertEqual(self.call(mi_res_id=mirid)[2]["client_id"], USER_ASSIGNED)
        # The path is matched without regard to case, as App Service's /MSI/token.
        status, _, _ = self.emu.json("GET", "/MSI/token" + query(**{"api-version": "2019-08-01", "resource": GRAPH}),
                                     headers={"X-IDENTITY-HEADER": HEADER})
        self.assertEqual(status, 200)

    def test_header_and_version_are_required(self):
        self.assertEqual(self.call(header=None)[0], 400)
        self.assertEqual(self.call(header="wrong")[0], 400)
        status, _, body = self.call(**{"api-version": "2017-09-01"})
        self.assertEqual(status, 400)
        self.assertIn("2019-08-01", body["error_description"])
        self.assertEqual(self.call(client_id="00000000-0000-0000-0000-000000000000")[0], 400)


class IdentityHeaderFlagTests(EmulatorTestCase):
    args = ("--identity-header", "rotated-value")

    def test_flag_sets_the_expected_header(self):
        url = APP_SERVICE + query(**{"api-version": "2019-08-01", "resource": GRAPH})
        self.assertEqual(self.emu.json("GET", url, headers={"X-IDENTITY-HEADER": HEADER})[0], 400)
        self.assertEqual(self.emu.json("GET", url, headers={"X-IDENTITY-HEADER": "rotated-value"})[0], 200)


class SeededIdentityTests(SeededTestCase):
    """A seed whose only identity is user-assigned with no photo permission."""

    @classmethod
    def setUpClass(cls):
        cls.make_folder("emu-mi-")
        cls.start_seeded({"domain": "tailspin.example", "users": [{"userPrincipalName": "bo@tailspin.example"}],
                          "managedIdentities": [{"clientId": "e0000000-0000-0000-0000-00000000000e",
                                                 "roles": ["User.Read.All"]}]})

    def test_no_system_assigned_identity_and_roles_from_the_seed(self):
        url = IMDS + query(**{"api-version": "2018-02-01", "resource": GRAPH})
        status, _, body = self.emu.json("GET", url, headers={"Metadata": "true"})
        self.assertEqual((status, body["error_description"]), (400, "Identity not found"))
        status, _, body = self.emu.json("GET", url + "&client_id=e0000000-0000-0000-0000-00000000000e",
                                        headers={"Metadata": "true"})
        self.assertEqual(status, 200, body)
        token = body["access_token"]
        self.assertEqual(jwt_claims(token)["roles"], ["User.Read.All"])
        self.assertEqual(self.emu.json("GET", "/v1.0/users/bo@tailspin.example", token=token)[0], 200)
        status, _, body = self.emu.json("PUT", "/v1.0/users/bo@tailspin.example/photo/$value", png(64, 64),
                                        {"Content-Type": "image/png"}, token)
        self.assertEqual((status, body["error"]["code"]), (403, "Authorization_RequestDenied"))


if __name__ == "__main__":
    unittest.main()
