"""Entra side of scripts/graph-emulator: client secrets, certificate and federated assertions, device code,
token expiry, and Graph's bearer-token checks."""

import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import (GRAPH_SCOPE, PEOPLE_ADMIN, EmulatorTestCase, SeededTestCase,  # noqa: E402
                              jwt_claims, png)

ADELE = "adele.vance@contoso.example"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TEST_TOKEN_KEY = b"photoprov-graph-emulator-fixed-test-key"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_jwt(header, claims, key):
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    return signing_input + "." + b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


def assert_entra_error(test, result, status, error, code):
    got, _, body = result
    test.assertEqual(got, status, body)
    test.assertEqual(body["error"], error, body)
    test.assertEqual(body["error_codes"], [code], body)
    test.assertTrue(body["error_description"].startswith(f"AADSTS{code}: "), body)
    for key in ("trace_id", "correlation_id", "timestamp"):
        test.assertTrue(body[key], body)
    return body


class SecretTests(EmulatorTestCase):
    def token_url(self, tenant=None):
        return f"/{tenant or self.emu.tenant}/oauth2/v2.0/token"

    def fields(self, **override):
        f = {"grant_type": "client_credentials", "client_id": self.emu.client_id, "client_secret": self.emu.secret,
             "scope": GRAPH_SCOPE}
        f.update(override)
        return {k: v for k, v in f.items() if v is not None}

    def test_client_secret_in_form_gets_a_bearer_token(self):
        status, headers, body = self.emu.form(self.token_url(), self.fields())
        self.assertEqual(status, 200, body)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3599)
        self.assertEqual(body["access_token"].count("."), 2)
        self.assertIn("no-store", headers["cache-control"])

    def test_client_secret_through_http_basic(self):
        basic = base64.b64encode(f"{self.emu.client_id}:{self.emu.secret}".encode()).decode()
        status, _, body = self.emu.form(self.token_url(), {"grant_type": "client_credentials", "scope": GRAPH_SCOPE},
                                        {"Authorization": "Basic " + basic})
        self.assertEqual(status, 200, body)

    def test_tenant_domain_works_in_place_of_the_id(self):
        status, _, body = self.emu.form(self.token_url("contoso.example"), self.fields())
        self.assertEqual(status, 200, body)
        self.assertEqual(jwt_claims(body["access_token"])["tid"], self.emu.tenant)

    def test_bad_secret_is_401_invalid_client_aadsts7000215(self):
        body = assert_entra_error(self, self.emu.form(self.token_url(), self.fields(client_secret="wrong")), 401,
                                  "invalid_client", 7000215)
        self.assertNotIn("wrong", body["error_description"])

    def test_correlation_id_echoes_client_request_id(self):
        cid = str(uuid.uuid4())
        _, _, body = self.emu.form(self.token_url(), self.fields(client_secret="x"), {"client-request-id": cid})
        self.assertEqual(body["correlation_id"], cid)

    def test_unknown_tenant_is_400_aadsts90002(self):
        assert_entra_error(self, self.emu.form(self.token_url(str(uuid.uuid4())), self.fields()), 400,
                           "invalid_request", 90002)

    def test_unknown_app_is_400_aadsts700016(self):
        assert_entra_error(self, self.emu.form(self.token_url(), self.fields(client_id=str(uuid.uuid4()))), 400,
                           "unauthorized_client", 700016)

    def test_missing_parameters(self):
        assert_entra_error(self, self.emu.form(self.token_url(), self.fields(grant_type=None)), 400,
                           "invalid_request", 900144)
        assert_entra_error(self, self.emu.form(self.token_url(), self.fields(client_id=None)), 400,
                           "invalid_request", 900144)
        assert_entra_error(self, self.emu.form(self.token_url(), self.fields(scope=None)), 400,
                           "invalid_request", 900144)
        assert_entra_error(self, self.emu.form(self.token_url(), self.fields(client_secret=None)), 401,
                           "invalid_client", 7000218)

    def test_scope_without_default_and_foreign_resource_are_rejected(self):
        assert_entra_error(self, self.emu.form(self.token_url(), self.fields(
            scope="https://graph.microsoft.com/User.Read.All")), 400, "invalid_scope", 1002012)
        assert_entra_error(self, self.emu.form(self.token_url(), self.fields(
            scope="https://vault.azure.net/.default")), 400, "invalid_resource", 500011)

    def test_unsupported_grant_and_common_endpoint(self):
        assert_entra_error(self, self.emu.form(self.token_url(), self.fields(grant_type="password")), 400,
                           "unsupported_grant_type", 70003)
        assert_entra_error(self, self.emu.form(self.token_url("common"), self.fields()), 400, "invalid_request",
                           50194)

    def test_token_endpoint_rejects_get(self):
        status, _, body = self.emu.json("GET", self.token_url())
        self.assertEqual(status, 400)
        self.assertEqual(body["error"], "invalid_request")


class GraphBearerTests(EmulatorTestCase):
    def graph(self, headers):
        return self.emu.json("GET", f"/v1.0/users/{ADELE}", headers=headers)

    def test_missing_token(self):
        body = self.assertGraphError(self.graph({}), 401, "InvalidAuthenticationToken")
        self.assertEqual(body["error"]["message"], "Access token is empty.")

    def test_malformed_token(self):
        self.assertGraphError(self.graph({"Authorization": "Bearer not-a-jwt"}), 401, "InvalidAuthenticationToken")
        self.assertGraphError(self.graph({"Authorization": "Bearer a.b.c"}), 401, "InvalidAuthenticationToken")
        self.assertGraphError(self.graph({"Authorization": "Basic abc"}), 401, "InvalidAuthenticationToken")

    def test_signed_token_with_nonsense_claims_is_401_not_a_crash(self):
        for payload in ([1, 2], {"aud": "https://graph.microsoft.com"}, {"exp": "soon"}):
            head = b64url(json.dumps({"alg": "HS256"}).encode())
            body = b64url(json.dumps(payload).encode())
            sig = b64url(hmac.new(TEST_TOKEN_KEY, (head + "." + body).encode(), hashlib.sha256).digest())
            self.assertGraphError(self.graph({"Authorization": f"Bearer {head}.{body}.{sig}"}), 401,
                                  "InvalidAuthenticationToken")

    def test_tampered_signature(self):
        token = self.emu.token()
        head, payload, sig = token.split(".")
        claims = jwt_claims(token)
        claims["roles"] = claims["roles"] + ["Directory.ReadWrite.All"]
        forged = head + "." + b64url(json.dumps(claims).encode()) + "." + sig
        body = self.assertGraphError(self.graph({"Authorization": "Bearer " + forged}), 401,
                                     "InvalidAuthenticationToken")
        self.assertIn("signature", body["error"]["message"])

    def test_wrong_audience(self):
        claims = jwt_claims(self.emu.token())
        claims["aud"] = "https://vault.azure.net"
        token = hs256_jwt({"alg": "HS256", "typ": "JWT"}, claims, TEST_TOKEN_KEY)
        body = self.assertGraphError(self.graph({"Authorization": "Bearer " + token}), 401,
                                     "InvalidAuthenticationToken")
        self.assertIn("audience", body["error"]["message"])

    def test_expired_and_not_yet_valid_tokens(self):
        claims = jwt_claims(self.emu.token())
        claims.update(exp=int(time.time()) - 5)
        token = hs256_jwt({"alg": "HS256", "typ": "JWT"}, claims, TEST_TOKEN_KEY)
        body = self.assertGraphError(self.graph({"Authorization": "Bearer " + token}), 401,
                                     "InvalidAuthenticationToken")
        self.assertIn("expired", body["error"]["message"])
        claims.update(nbf=int(time.time()) + 600, exp=int(time.time()) + 1200)
        token = hs256_jwt({"alg": "HS256", "typ": "JWT"}, claims, TEST_TOKEN_KEY)
        self.assertGraphError(self.graph({"Authorization": "Bearer " + token}), 401, "InvalidAuthenticationToken")

    def test_401_echoes_client_request_id_and_sends_www_authenticate(self):
        status, headers, _ = self.graph({"client-request-id": "abc-123"})
        self.assertEqual(status, 401)
        self.assertTrue(headers["www-authenticate"].startswith("Bearer "))
        self.assertEqual(headers["client-request-id"], "abc-123")
        self.assertRegex(headers["request-id"], r"^[0-9a-f-]{36}$")


class TokenExpiryTests(EmulatorTestCase):
    args = ("--token-lifetime", "1")

    def test_token_lifetime_flag_expires_tokens_mid_run(self):
        before = time.time()
        status, _, body = self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/token", {
            "grant_type": "client_credentials", "client_id": self.emu.client_id, "client_secret": self.emu.secret,
            "scope": GRAPH_SCOPE})
        self.assertEqual(body["expires_in"], 1)
        token = body["access_token"]
        self.assertEqual(self.emu.json("GET", f"/v1.0/users/{ADELE}", token=token)[0], 200)
        self.assertGreaterEqual(jwt_claims(token)["exp"], before + 1)  # valid a whole second after it was asked for
        time.sleep(max(0.0, jwt_claims(token)["exp"] - time.time()) + 0.05)
        result = self.emu.json("GET", f"/v1.0/users/{ADELE}", token=token)
        body = self.assertGraphError(result, 401, "InvalidAuthenticationToken")
        self.assertEqual(body["error"]["message"], "Lifetime validation failed, the token is expired.")
        self.assertEqual(self.emu.json("GET", f"/v1.0/users/{ADELE}", token=self.emu.token())[0], 200)


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class AssertionTests(SeededTestCase):
    """Certificate (PS256/RS256) and federated client assertions against a seeded app."""

    @classmethod
    def setUpClass(cls):
        cls.make_folder("emu-assert-")
        cls.key = os.path.join(cls.tmp, "key.pem")
        cls.cert = os.path.join(cls.tmp, "cert.pem")
        cls.other_key = os.path.join(cls.tmp, "other.pem")
        for key, cert in ((cls.key, cls.cert), (cls.other_key, os.path.join(cls.tmp, "other-cert.pem"))):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "2", "-subj", "/CN=photoprov-test"], check=True, capture_output=True)
        with open(cls.cert, "rb") as f:
            pem = f.read().decode()
        der = base64.b64decode("".join(pem.split("-----")[2].split()))
        cls.x5t256 = b64url(hashlib.sha256(der).digest())
        cls.x5t = b64url(hashlib.sha1(der).digest())
        cls.tenant = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
        cls.app = "a0000000-0000-0000-0000-00000000000a"
        cls.fed_app = "f0000000-0000-0000-0000-00000000000f"
        seed = {"tenants": [{
            "id": cls.tenant, "domain": "fabrikam.example",
            "apps": [
                {"clientId": cls.app, "certificates": ["cert.pem"], "roles": ["User.Read.All"]},
                {"clientId": cls.fed_app, "roles": ["User.Read.All"],
                 "federatedCredentials": [{"issuer": "https://ci.example", "subject": "pipeline:nightly",
                                           "audiences": ["api://AzureADTokenExchange"], "key": "fed-key"}]}],
            "users": [{"userPrincipalName": "ann@fabrikam.example"}]}]}
        cls.start_seeded(seed)
        cls.aud = f"https://login.microsoftonline.com/{cls.tenant}/oauth2/v2.0/token"

    def sign(self, header, claims, alg="PS256", key=None):
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        cmd = ["openssl", "dgst", "-sha256", "-sign", key or self.key]
        if alg == "PS256":
            cmd += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
        sig = subprocess.run(cmd, input=signing_input.encode(), capture_output=True, check=True).stdout
        return signing_input + "." + b64url(sig)

    def claims(self, **override):
        now = int(time.time())
        c = {"aud": self.aud, "iss": self.app, "sub": self.app, "jti": str(uuid.uuid4()), "nbf": now - 5,
             "iat": now - 5, "exp": now + 300}
        c.update(override)
        return c

    def post(self, assertion, client_id=None):
        return self.emu.form(f"/{self.tenant}/oauth2/v2.0/token", {
            "grant_type": "client_credentials", "client_id": client_id or self.app, "scope": GRAPH_SCOPE,
            "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion})

    def test_ps256_assertion_with_x5t_s256_gets_a_token_that_works_on_graph(self):
        status, _, body = self.post(self.sign({"alg": "PS256", "typ": "JWT", "x5t#S256": self.x5t256},
                                              self.claims()))
        self.assertEqual(status, 200, body)
        self.assertEqual(jwt_claims(body["access_token"])["appid"], self.app)
        status, _, user = self.emu.json("GET", "/v1.0/users/ann@fabrikam.example", token=body["access_token"])
        self.assertEqual((status, user["userPrincipalName"]), (200, "ann@fabrikam.example"))

    def test_rs256_with_sha1_x5t_and_the_emulator_audience(self):
        claims = self.claims(aud=f"{self.emu.url}/fabrikam.example/oauth2/v2.0/token")
        status, _, body = self.post(self.sign({"alg": "RS256", "x5t": self.x5t}, claims, alg="RS256"))
        self.assertEqual(status, 200, body)

    def test_thumbprints_padded_or_not_either_algorithm_and_every_audience_entra_accepts(self):
        der = base64.b64decode("".join(open(self.cert).read().split("-----")[2].split()))
        s256 = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode()  # padded, as MSAL sends it
        s1 = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode()
        self.assertTrue(s256.endswith("=") and s1.endswith("="))
        host = self.emu.url.split("://")[1]
        audiences = [self.aud, f"http://{host}/{self.tenant}/oauth2/v2.0/token",
                     f"https://{host}/{self.tenant}/oauth2/v2.0/token",
                     f"https://{host}/fabrikam.example/oauth2/v2.0/token"]
        headers = [{"x5t#S256": s256}, {"x5t#S256": s256.rstrip("=")}, {"x5t": s1}, {"x5t": s1.rstrip("=")},
                   {"x5t": base64.b64encode(hashlib.sha1(der).digest()).decode()}]
        for alg in ("PS256", "RS256"):
            for header in headers:
                for aud in audiences:
                    assertion = self.sign(dict(header, alg=alg, typ="JWT"), self.claims(aud=aud), alg=alg)
                    status, _, body = self.post(assertion)
                    self.assertEqual(status, 200, (alg, header, aud, body))
        wrong_host = self.sign({"alg": "PS256", "x5t#S256": s256}, self.claims(
            aud=f"https://login.example.org/{self.tenant}/oauth2/v2.0/token"))
        assert_entra_error(self, self.post(wrong_host), 401, "invalid_client", 700023)

    def test_wrong_key_fails_signature_validation(self):
        assertion = self.sign({"alg": "PS256", "x5t#S256": self.x5t256}, self.claims(), key=self.other_key)
        body = assert_entra_error(self, self.post(assertion), 401, "invalid_client", 700027)
        self.assertIn("signature", body["error_description"])

    def test_unregistered_thumbprint(self):
        assertion = self.sign({"alg": "PS256", "x5t#S256": b64url(b"\x00" * 32)}, self.claims())
        body = assert_entra_error(self, self.post(assertion), 401, "invalid_client", 700027)
        self.assertIn("key was not found", body["error_description"])

    def test_lifetime_over_ten_minutes_is_rejected(self):
        now = int(time.time())
        assertion = self.sign({"alg": "PS256", "x5t#S256": self.x5t256}, self.claims(nbf=now - 10, exp=now + 600))
        assert_entra_error(self, self.post(assertion), 401, "invalid_client", 700024)

    def test_expired_assertion_is_rejected(self):
        now = int(time.time())
        assertion = self.sign({"alg": "PS256", "x5t#S256": self.x5t256}, self.claims(nbf=now - 300, exp=now - 1))
        assert_entra_error(self, self.post(assertion), 401, "invalid_client", 700024)

    def test_replayed_jti_is_rejected(self):
        assertion = self.sign({"alg": "PS256", "x5t#S256": self.x5t256}, self.claims())
        self.assertEqual(self.post(assertion)[0], 200)
        body = assert_entra_error(self, self.post(assertion), 401, "invalid_client", 7000219)
        self.assertIn("jti", body["error_description"])

    def test_wrong_audience_and_issuer(self):
        assertion = self.sign({"alg": "PS256", "x5t#S256": self.x5t256}, self.claims(aud="https://example.com"))
        assert_entra_error(self, self.post(assertion), 401, "invalid_client", 700023)
        assertion = self.sign({"alg": "PS256", "x5t#S256": self.x5t256}, self.claims(sub="someone-else"))
        assert_entra_error(self, self.post(assertion), 401, "invalid_client", 700021)

    def test_unsupported_algorithm_and_malformed_assertion(self):
        token = hs256_jwt({"alg": "HS256", "x5t#S256": self.x5t256}, self.claims(), b"k")
        assert_entra_error(self, self.post(token), 401, "invalid_client", 5002738)
        assert_entra_error(self, self.post("garbage"), 401, "invalid_client", 50027)

    def test_wrong_assertion_type(self):
        status, _, body = self.emu.form(f"/{self.tenant}/oauth2/v2.0/token", {
            "grant_type": "client_credentials", "client_id": self.app, "scope": GRAPH_SCOPE,
            "client_assertion_type": "urn:bogus", "client_assertion": "a.b.c"})
        self.assertEqual((status, body["error_codes"]), (400, [700013]))

    def fed(self, **override):
        now = int(time.time())
        c = {"iss": "https://ci.example", "sub": "pipeline:nightly", "aud": "api://AzureADTokenExchange",
             "jti": str(uuid.uuid4()), "nbf": now - 5, "exp": now + 300}
        c.update(override)
        return c

    def test_federated_assertion_from_the_configured_issuer(self):
        status, _, body = self.post(hs256_jwt({"alg": "HS256"}, self.fed(), b"fed-key"), self.fed_app)
        self.assertEqual(status, 200, body)
        self.assertEqual(jwt_claims(body["access_token"])["appid"], self.fed_app)

    def test_federated_assertion_mismatches(self):
        assert_entra_error(self, self.post(hs256_jwt({"alg": "HS256"}, self.fed(sub="pipeline:other"), b"fed-key"),
                                           self.fed_app), 400, "invalid_request", 70021)
        assert_entra_error(self, self.post(hs256_jwt({"alg": "HS256"}, self.fed(aud="api://other"), b"fed-key"),
                                           self.fed_app), 400, "invalid_request", 700212)
        assert_entra_error(self, self.post(hs256_jwt({"alg": "HS256"}, self.fed(), b"wrong-key"), self.fed_app),
                           401, "invalid_client", 700027)
        now = int(time.time())
        assert_entra_error(self, self.post(hs256_jwt({"alg": "HS256"}, self.fed(nbf=now - 100, exp=now + 900),
                                                     b"fed-key"), self.fed_app), 401, "invalid_client", 700024)


class DeviceCodeTests(EmulatorTestCase):
    def start(self, scope="https://graph.microsoft.com/.default offline_access"):
        status, _, body = self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/devicecode",
                                        {"client_id": self.emu.client_id, "scope": scope})
        self.assertEqual(status, 200, body)
        return body

    def poll(self, device_code):
        return self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/token", {
            "grant_type": DEVICE_GRANT, "client_id": self.emu.client_id, "device_code": device_code})

    def approve(self, user_code, upn, **extra):
        return self.emu.json("POST", "/_emulator/devicecode/approve", dict({"user_code": user_code, "user": upn},
                                                                          **extra))

    def test_pending_then_slow_down_then_approved_delegated_token(self):
        start = self.start()
        self.assertRegex(start["user_code"], r"^[A-Z0-9]{9}$")
        self.assertIn(start["user_code"], start["message"])
        self.assertEqual((start["interval"], start["expires_in"]), (1, 900))
        assert_entra_error(self, self.poll(start["device_code"]), 400, "authorization_pending", 70016)
        self.assertEqual(self.poll(start["device_code"])[2]["error"], "slow_down")
        self.assertEqual(self.approve(start["user_code"], "people.admin@contoso.example")[0], 200)
        status, _, body = self.poll(start["device_code"])
        self.assertEqual(status, 200, body)
        self.assertTrue(body["refresh_token"])
        claims = jwt_claims(body["access_token"])
        self.assertEqual(claims["upn"], "people.admin@contoso.example")
        self.assertIn(PEOPLE_ADMIN, claims["wids"])
        self.assertIn("ProfilePhoto.ReadWrite.All", claims["scp"].split())
        self.assertNotIn("roles", claims)
        status, _, me = self.emu.json("GET", "/v1.0/me", token=body["access_token"])
        self.assertEqual((status, me["userPrincipalName"]), (200, "people.admin@contoso.example"))
        # The code is single use.
        self.assertEqual(self.poll(start["device_code"])[2]["error"], "invalid_grant")

    def test_explicit_scopes_become_scp(self):
        start = self.start("https://graph.microsoft.com/User.Read openid profile")
        self.approve(start["user_code"], ADELE)
        _, _, body = self.poll(start["device_code"])
        self.assertEqual(jwt_claims(body["access_token"])["scp"], "User.Read")
        self.assertNotIn("refresh_token", body)

    def test_refresh_token_grant(self):
        tok = self.emu.device_token("people.admin@contoso.example")
        status, _, body = self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/token", {
            "grant_type": "refresh_token", "client_id": self.emu.client_id, "refresh_token": tok["refresh_token"]})
        self.assertEqual(status, 200, body)
        self.assertEqual(jwt_claims(body["access_token"])["upn"], "people.admin@contoso.example")
        status, _, body = self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/token", {
            "grant_type": "refresh_token", "client_id": self.emu.client_id, "refresh_token": "bogus"})
        self.assertEqual((status, body["error"]), (400, "invalid_grant"))

    def test_declined_unknown_and_disabled(self):
        start = self.start()
        self.assertEqual(self.approve(start["user_code"], ADELE, deny=True)[0], 200)
        assert_entra_error(self, self.poll(start["device_code"]), 400, "authorization_declined", 70000)
        self.assertEqual(self.approve("NOPE12345", ADELE)[0], 404)
        self.assertEqual(self.emu.json("POST", "/_emulator/devicecode/approve", [1])[0], 400)
        self.assertEqual(self.emu.json("GET", "/_emulator/nothing")[0], 404)
        start = self.start()
        self.assertEqual(self.approve(start["user_code"], "ghost@contoso.example")[0], 400)
        self.approve(start["user_code"], "joni.sherman@contoso.example")
        assert_entra_error(self, self.poll(start["device_code"]), 400, "invalid_grant", 50057)
        assert_entra_error(self, self.poll("not-a-code"), 400, "invalid_grant", 70019)

    def test_devicecode_needs_scope_and_known_app(self):
        status, _, body = self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/devicecode",
                                        {"client_id": self.emu.client_id})
        self.assertEqual(body["error_codes"], [900144])
        assert_entra_error(self, self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/devicecode",
                                               {"client_id": str(uuid.uuid4()), "scope": "User.Read"}),
                           400, "unauthorized_client", 700016)


class DeviceCodeExpiryTests(EmulatorTestCase):
    args = ("--device-code-lifetime", "1")

    def test_expired_device_code(self):
        status, _, start = self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/devicecode",
                                         {"client_id": self.emu.client_id, "scope": "User.Read"})
        time.sleep(1.1)
        result = self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/token", {
            "grant_type": DEVICE_GRANT, "client_id": self.emu.client_id, "device_code": start["device_code"]})
        assert_entra_error(self, result, 400, "expired_token", 70020)


class AutoApproveTests(EmulatorTestCase):
    args = ("--approve-device-codes", "people.admin@contoso.example")

    def test_codes_are_approved_at_once(self):
        _, _, start = self.emu.form(f"/{self.emu.tenant}/organizations/oauth2/v2.0/devicecode".replace(
            f"/{self.emu.tenant}/organizations", "/organizations"), {"client_id": self.emu.client_id,
                                                                      "scope": "User.Read"})
        status, _, body = self.emu.form(f"/{self.emu.tenant}/oauth2/v2.0/token", {
            "grant_type": DEVICE_GRANT, "client_id": self.emu.client_id, "device_code": start["device_code"]})
        self.assertEqual(status, 200, body)
        self.assertEqual(jwt_claims(body["access_token"])["upn"], "people.admin@contoso.example")


if __name__ == "__main__":
    unittest.main()


class MultiTenantTests(SeededTestCase):
    """Two tenants from one seed: apps, users and policies stay apart."""

    @classmethod
    def setUpClass(cls):
        cls.make_folder("emu-tenants-")
        seed = {"tenants": [
            {"id": "11111111-1111-1111-1111-111111111111", "domain": "one.example",
             "apps": [{"clientId": "aaaaaaaa-1111-1111-1111-111111111111", "secrets": ["one"],
                       "roles": ["User.Read.All", "ProfilePhoto.ReadWrite.All"], "publicClient": False}],
             "users": [{"userPrincipalName": "amy@one.example", "id": "0a0a0a0a-0000-0000-0000-000000000001"}]},
            {"id": "22222222-2222-2222-2222-222222222222", "domain": "two.example",
             "apps": [{"clientId": "bbbbbbbb-2222-2222-2222-222222222222", "secrets": ["two"],
                       "roles": ["User.Read.All", "ProfilePhoto.ReadWrite.All"]}],
             "users": [{"userPrincipalName": "bob@two.example"}],
             "policy": {"source": "onPremises"}}]}
        cls.start_seeded(seed)

    def test_each_tenant_sees_only_its_users_and_policy(self):
        one = self.emu.token()
        two = self.emu.token(tenant="two.example", client_id="bbbbbbbb-2222-2222-2222-222222222222", secret="two")
        self.assertEqual(jwt_claims(two)["tid"], "22222222-2222-2222-2222-222222222222")
        self.assertEqual(self.emu.json("GET", "/v1.0/users/amy@one.example", token=one)[0], 200)
        self.assertEqual(self.emu.json("GET", "/v1.0/users/amy@one.example", token=two)[0], 404)
        self.assertEqual(self.emu.json("GET", "/v1.0/users/0a0a0a0a-0000-0000-0000-000000000001", token=one)[2][
            "userPrincipalName"], "amy@one.example")
        status, _, body = self.emu.json("PUT", "/v1.0/users/bob@two.example/photo/$value", png(64, 64),
                                        {"Content-Type": "image/png"}, two)
        self.assertEqual((status, body["error"]["code"]), (403, "ForbiddenByAdmindEditPolicy"))
        status, _, _ = self.emu.json("PUT", "/v1.0/users/amy@one.example/photo/$value", png(64, 64),
                                     {"Content-Type": "image/png"}, one)
        self.assertEqual(status, 200)
        state = self.emu.state()
        self.assertEqual(state["users"]["amy@one.example"]["uploads"], 1)
        self.assertEqual(state["policy"]["source"], "cloud")
        self.assertEqual(state["policies"]["22222222-2222-2222-2222-222222222222"]["source"], "onPremises")

    def test_app_of_another_tenant_is_unknown_here(self):
        result = self.emu.form("/one.example/oauth2/v2.0/token", {
            "grant_type": "client_credentials", "client_id": "bbbbbbbb-2222-2222-2222-222222222222",
            "client_secret": "two", "scope": GRAPH_SCOPE})
        assert_entra_error(self, result, 400, "unauthorized_client", 700016)

    def test_confidential_app_cannot_finish_device_code_without_a_secret(self):
        _, _, start = self.emu.form("/one.example/oauth2/v2.0/devicecode", {
            "client_id": "aaaaaaaa-1111-1111-1111-111111111111", "scope": "User.Read"})
        self.emu.json("POST", "/_emulator/devicecode/approve", {"user_code": start["user_code"],
                                                                "user": "amy@one.example"})
        result = self.emu.form("/one.example/oauth2/v2.0/token", {
            "grant_type": DEVICE_GRANT, "client_id": "aaaaaaaa-1111-1111-1111-111111111111",
            "device_code": start["device_code"]})
        assert_entra_error(self, result, 401, "invalid_client", 7000218)
