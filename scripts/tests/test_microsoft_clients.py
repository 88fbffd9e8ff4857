"""Microsoft's own Python libraries (msal, azure-identity) against the --tls emulator: secrets, certificates, device
code with id token and refresh, managed identity through App Service and IMDS. Optional: skips with a SKIP line when
the libraries are not installed (`pip install msal azure-identity`; the emulator never needs them).

MSAL asks login.microsoftonline.com for instance discovery of an authority host it does not know, so these clients
are made with instance_discovery=False (azure-identity: disable_instance_discovery=True); they then read the
emulator's own OpenID configuration."""

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import GRAPH_SCOPE, SeededTestCase, jwt_claims, png  # noqa: E402

try:
    import azure.identity
    import msal
except ImportError as e:
    msal = None
    print(f"SKIP: Microsoft's client libraries are not installed ({e.name}); pip install msal azure-identity")

TENANT = "0c0c0c0c-1111-2222-3333-444455556666"
APP = "a5a5a5a5-0000-0000-0000-00000000000a"
MI = "b6b6b6b6-0000-0000-0000-00000000000b"
ANN = "ann@fabrikam.example"
ROLES = ["ProfilePhoto.ReadWrite.All", "User.Read.All"]


@unittest.skipUnless(msal and shutil.which("openssl"), "msal, azure-identity and openssl are needed")
class MicrosoftClientTests(SeededTestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_folder("emu-msal-")
        cls.key = os.path.join(cls.tmp, "key.pem")
        cls.cert = os.path.join(cls.tmp, "cert.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", cls.key, "-out",
                        cls.cert, "-days", "2", "-subj", "/CN=msal-test"], check=True, capture_output=True)
        cls.start_seeded({"id": TENANT, "domain": "fabrikam.example",
                          "apps": [{"clientId": APP, "secrets": ["msal-secret"], "certificates": ["cert.pem"],
                                    "roles": ROLES, "delegatedPermissions": ["User.Read"]}],
                          "managedIdentities": [{"systemAssigned": True, "clientId": MI, "roles": ROLES}],
                          "users": [{"userPrincipalName": ANN}]}, "--tls", "--identity-header", "hdr")
        cls.saved = dict(os.environ)
        # What the banner tells a shell to export.
        os.environ["REQUESTS_CA_BUNDLE"] = cls.emu.env["REQUESTS_CA_BUNDLE"]
        os.environ["SSL_CERT_FILE"] = cls.emu.env["SSL_CERT_FILE"]
        cls.authority = f"{cls.emu.url}/{TENANT}"

    @classmethod
    def tearDownClass(cls):
        os.environ.clear()
        os.environ.update(cls.saved)
        super().tearDownClass()

    def works_on_graph(self, token):
        status, _, _ = self.emu.call("PUT", f"/v1.0/users/{ANN}/photo/$value", png(64, 64),
                                     {"Content-Type": "image/png"}, token)
        self.assertEqual(status, 200)

    def test_msal_client_secret(self):
        app = msal.ConfidentialClientApplication(APP, client_credential="msal-secret", authority=self.authority,
                                                 instance_discovery=False)
        result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        self.assertIn("access_token", result, result)
        self.works_on_graph(result["access_token"])

    def test_msal_certificate_by_sha1_thumbprint_and_by_certificate(self):
        with open(self.key) as f:
            key = f.read()
        with open(self.cert) as f:
            cert = f.read()
        der = base64.b64decode("".join(cert.split("-----")[2].split()))
        for credential in ({"private_key": key, "thumbprint": hashlib.sha1(der).hexdigest()},
                           {"private_key": key, "public_certificate": cert}):
            app = msal.ConfidentialClientApplication(APP, client_credential=credential, authority=self.authority,
                                                     instance_discovery=False)
            result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
            self.assertIn("access_token", result, (sorted(credential), result))
            self.assertEqual(jwt_claims(result["access_token"])["appid"], APP)

    def test_msal_device_code_gives_an_account_and_refreshes(self):
        app = msal.PublicClientApplication(APP, authority=self.authority, instance_discovery=False)
        flow = app.initiate_device_flow(scopes=["User.Read"])
        self.assertIn("user_code", flow, flow)
        status, _, body = self.emu.json("POST", "/_emulator/devicecode/approve",
                                        {"user_code": flow["user_code"], "user": ANN})
        self.assertEqual(status, 200, body)
        result = app.acquire_token_by_device_flow(flow)
        self.assertIn("access_token", result, result)
        self.assertEqual(result["id_token_claims"]["preferred_username"], ANN)
        accounts = app.get_accounts()
        self.assertEqual([a["username"] for a in accounts], [ANN])
        again = app.acquire_token_silent(["User.Read"], account=accounts[0], force_refresh=True)
        self.assertIn("access_token", again, again)
        self.assertEqual(again.get("token_source"), "identity_provider")
        self.assertEqual(jwt_claims(again["access_token"])["upn"], ANN)

    def test_azure_identity_secret_certificate_and_managed_identity(self):
        common = {"authority": self.emu.url, "disable_instance_discovery": True}
        tokens = [azure.identity.ClientSecretCredential(TENANT, APP, "msal-secret", **common).get_token(GRAPH_SCOPE),
                  azure.identity.CertificateCredential(TENANT, APP, certificate_path=self.combined_pem(),
                                                       **common).get_token(GRAPH_SCOPE)]
        for name, env in (("App Service", {"IDENTITY_ENDPOINT": f"{self.emu.url}/msi/token",
                                           "IDENTITY_HEADER": "hdr"}),
                          ("IMDS", {"AZURE_POD_IDENTITY_AUTHORITY_HOST": self.emu.url})):
            saved = dict(os.environ)
            for var in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET"):
                os.environ.pop(var, None)
            os.environ.update(env)
            try:
                token = azure.identity.ManagedIdentityCredential().get_token(GRAPH_SCOPE)
            finally:
                os.environ.clear()
                os.environ.update(saved)
            self.assertEqual(jwt_claims(token.token)["appid"], MI, name)
            tokens.append(token)
        for token in tokens:
            self.works_on_graph(token.token)

    def combined_pem(self):
        path = os.path.join(self.tmp, "combined.pem")
        with open(path, "w") as out, open(self.key) as key, open(self.cert) as cert:
            out.write(key.read() + cert.read())
        return path


if __name__ == "__main__":
    unittest.main()
