"""--tls, Entra discovery and keys: what MSAL and azure-identity read before any token request, over https with the
emulator's throwaway CA, and RS256 tokens that verify against the published JWKS."""

import base64
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import EmulatorTestCase, jwt_claims, png  # noqa: E402

ADELE = "adele.vance@contoso.example"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_rs256(token, jwks, folder):
    """Checks the token's RS256 signature with `openssl` against the JWKS key its header names; returns the header."""
    head, payload, sig = token.split(".")
    header = json.loads(b64url_decode(head))
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    cert = os.path.join(folder, "jwks-cert.pem")
    with open(cert, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\n" + key["x5c"][0] + "\n-----END CERTIFICATE-----\n")
    pub = os.path.join(folder, "jwks.pub")
    subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout", "-out", pub], check=True, capture_output=True)
    modulus = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-modulus"], check=True, capture_output=True,
                             text=True).stdout.strip().split("=", 1)[1]
    assert bytes.fromhex(modulus) == b64url_decode(key["n"]), "the JWKS n is not the certificate's modulus"
    with open(os.path.join(folder, "sig.bin"), "wb") as f:
        f.write(b64url_decode(sig))
    proc = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", os.path.join(folder, "sig.bin")],
                          input=(head + "." + payload).encode(), capture_output=True)
    if proc.returncode != 0:
        raise AssertionError(f"signature does not verify: {proc.stdout} {proc.stderr}")
    return header


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class TLSTests(EmulatorTestCase):
    args = ("--tls",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="emu-tls-")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp)

    def get(self, url, context=None):
        with urllib.request.urlopen(url, timeout=10, context=context or self.emu.ssl) as r:
            return r.status, json.load(r)

    def post(self, url, fields):
        data = urllib.parse.urlencode(fields).encode()
        try:
            with urllib.request.urlopen(url, data, timeout=10, context=self.emu.ssl) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def test_banner_names_the_https_url_and_the_ca_then_a_blank_line(self):
        lines = self.emu.lines
        self.assertRegex(lines[0], r"^https://127\.0\.0\.1:\d+$")
        self.assertEqual([line.split("=")[0] for line in lines[1:-1]],
                         ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "SSL_CERT_FILE",
                          "REQUESTS_CA_BUNDLE"])
        self.assertEqual(lines[-1], "")
        ca = self.emu.env["SSL_CERT_FILE"]
        self.assertEqual(self.emu.env["REQUESTS_CA_BUNDLE"], ca)
        text = subprocess.run(["openssl", "x509", "-in", ca, "-noout", "-text"], capture_output=True, text=True,
                              check=True).stdout
        self.assertIn("CA:TRUE", text)

    def test_a_client_without_the_ca_refuses_the_server_and_one_with_it_gets_graph(self):
        with self.assertRaises(urllib.error.URLError) as caught:
            self.get(self.emu.url + "/_emulator/state", ssl.create_default_context())
        self.assertIsInstance(caught.exception.reason, ssl.SSLCertVerificationError)
        token = self.emu.token()
        body = png(64, 64)
        status, _, _ = self.emu.call("PUT", f"/v1.0/users/{ADELE}/photo/$value", body, {"Content-Type": "image/png"},
                                     token)
        self.assertEqual(status, 200)
        self.assertEqual(self.emu.state()["users"][ADELE]["uploads"], 1)
        # The certificate names localhost too.
        localhost = self.emu.url.replace("127.0.0.1", "localhost")
        self.assertEqual(self.get(localhost + "/_emulator/state")[0], 200)

    def test_openid_configuration_endpoints_work(self):
        for tenant in (self.emu.tenant, "contoso.example"):
            status, doc = self.get(f"{self.emu.url}/{tenant}/v2.0/.well-known/openid-configuration")
            self.assertEqual(status, 200)
            self.assertEqual(doc["issuer"], f"{self.emu.url}/{self.emu.tenant}/v2.0")
            for key in ("token_endpoint", "device_authorization_endpoint", "jwks_uri", "authorization_endpoint"):
                self.assertTrue(doc[key].startswith(f"{self.emu.url}/{tenant}/"), doc[key])
            self.assertIn("RS256", doc["id_token_signing_alg_values_supported"])
            status, body = self.post(doc["token_endpoint"], {
                "grant_type": "client_credentials", "client_id": self.emu.client_id,
                "client_secret": self.emu.secret, "scope": "https://graph.microsoft.com/.default"})
            self.assertEqual(status, 200, body)
            status, body = self.post(doc["device_authorization_endpoint"], {
                "client_id": self.emu.client_id, "scope": "User.Read openid"})
            self.assertEqual(status, 200, body)
            self.assertTrue(body["user_code"])
            status, jwks = self.get(doc["jwks_uri"])
            self.assertEqual(status, 200)
            self.assertEqual([k["kty"] for k in jwks["keys"]], ["RSA"])
        status, doc = self.get(f"{self.emu.url}/organizations/v2.0/.well-known/openid-configuration")
        self.assertEqual(doc["issuer"], f"{self.emu.url}/{{tenantid}}/v2.0")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            self.get(f"{self.emu.url}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration")
        self.assertEqual(caught.exception.code, 400)
        self.assertEqual(json.load(caught.exception)["error_codes"], [90002])

    def test_instance_discovery_points_at_the_emulators_own_metadata(self):
        endpoint = urllib.parse.quote(f"{self.emu.url}/{self.emu.tenant}/oauth2/v2.0/authorize", safe="")
        status, body = self.get(f"{self.emu.url}/common/discovery/instance?api-version=1.1&"
                                f"authorization_endpoint={endpoint}")
        self.assertEqual(status, 200)
        host = self.emu.url.split("://")[1]
        self.assertEqual(body["metadata"], [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}])
        status, doc = self.get(body["tenant_discovery_endpoint"])
        self.assertEqual(doc["issuer"], f"{self.emu.url}/{self.emu.tenant}/v2.0")
        foreign = urllib.parse.quote("https://login.example.org/x/oauth2/v2.0/authorize", safe="")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            self.get(f"{self.emu.url}/common/discovery/instance?api-version=1.1&authorization_endpoint={foreign}")
        self.assertEqual(json.load(caught.exception)["error"], "invalid_instance")

    def test_access_tokens_are_rs256_with_the_published_kid_and_verify_against_the_jwks(self):
        _, jwks = self.get(f"{self.emu.url}/{self.emu.tenant}/discovery/v2.0/keys")
        token = self.emu.token()
        header = verify_rs256(token, jwks, self.tmp)
        self.assertEqual((header["alg"], header["kid"]), ("RS256", jwks["keys"][0]["kid"]))
        self.assertEqual(header["x5t"], header["kid"])
        forged = token.rsplit(".", 1)[0] + "." + base64.urlsafe_b64encode(b"\0" * 256).decode().rstrip("=")
        with self.assertRaises(AssertionError):
            verify_rs256(forged, jwks, self.tmp)
        status, _, body = self.emu.json("GET", f"/v1.0/users/{ADELE}", token=forged)
        self.assertEqual((status, body["error"]["code"]), (401, "InvalidAuthenticationToken"))

    def test_device_code_answers_id_token_client_info_and_the_scope_entra_returns(self):
        _, jwks = self.get(f"{self.emu.url}/{self.emu.tenant}/discovery/v2.0/keys")
        token_url = f"{self.emu.url}/{self.emu.tenant}/oauth2/v2.0/token"
        status, start = self.post(f"{self.emu.url}/{self.emu.tenant}/oauth2/v2.0/devicecode", {
            "client_id": self.emu.client_id,
            "scope": "https://graph.microsoft.com/User.Read openid profile offline_access"})
        self.assertEqual(status, 200, start)
        self.emu.json("POST", "/_emulator/devicecode/approve", {"user_code": start["user_code"], "user": ADELE})
        status, body = self.post(token_url, {"grant_type": DEVICE_GRANT, "client_id": self.emu.client_id,
                                             "device_code": start["device_code"], "client_info": "1"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["scope"].split(), ["User.Read", "openid", "profile", "offline_access"])
        self.assertTrue(body["refresh_token"])
        info = json.loads(b64url_decode(body["client_info"]))
        user_id = self.emu.state()["users"][ADELE]["id"]
        self.assertEqual(info, {"uid": user_id, "utid": self.emu.tenant})
        verify_rs256(body["id_token"], jwks, self.tmp)
        claims = jwt_claims(body["id_token"])
        self.assertEqual((claims["aud"], claims["iss"], claims["preferred_username"], claims["oid"], claims["ver"]),
                         (self.emu.client_id, f"{self.emu.url}/{self.emu.tenant}/v2.0", ADELE, user_id, "2.0"))
        verify_rs256(body["access_token"], jwks, self.tmp)
        self.assertEqual(jwt_claims(body["access_token"])["scp"], "User.Read")
        # Without openid and client_info=1 there is neither.
        status, start = self.post(f"{self.emu.url}/{self.emu.tenant}/oauth2/v2.0/devicecode", {
            "client_id": self.emu.client_id, "scope": "User.Read"})
        self.emu.json("POST", "/_emulator/devicecode/approve", {"user_code": start["user_code"], "user": ADELE})
        status, body = self.post(token_url, {"grant_type": DEVICE_GRANT, "client_id": self.emu.client_id,
                                             "device_code": start["device_code"]})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["scope"], "User.Read")
        self.assertNotIn("id_token", body)
        self.assertNotIn("client_info", body)


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class TLSDirTests(unittest.TestCase):
    def test_tls_dir_keeps_the_ca_and_server_files(self):
        from emulator_harness import Emulator
        folder = tempfile.mkdtemp(prefix="emu-tls-dir-")
        try:
            emu = Emulator("--tls", "--tls-dir", folder)
            try:
                self.assertEqual(emu.env["SSL_CERT_FILE"], os.path.join(folder, "ca.pem"))
                self.assertEqual(emu.json("GET", "/_emulator/state")[0], 200)
            finally:
                emu.stop()
            self.assertEqual(sorted(os.listdir(folder)), ["ca.pem", "server.key", "server.pem"])
        finally:
            shutil.rmtree(folder)


if __name__ == "__main__":
    unittest.main()
