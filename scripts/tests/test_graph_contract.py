"""The emulator against Graph's published metadata (../shared/graph): every route it serves resolves, and the JSON it
returns for users, photos, groups, teams, contacts and the photo policy has only declared properties. Also the
scripts/graph-contract command that other tests (photoprov's paths) use."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from emulator.contract import Metadata, default_folder  # noqa: E402
from emulator.graph import USER_ALL_PROPS, served_templates  # noqa: E402
from emulator_harness import EmulatorTestCase, png  # noqa: E402

CONTRACT = os.path.join(os.path.dirname(HERE), "graph-contract")
AVAILABLE = os.path.isfile(os.path.join(default_folder(), "v1.0-metadata.xml"))
if not AVAILABLE:
    print(f"SKIP: Graph's metadata is not at {default_folder()} (set PHOTOPROV_GRAPH_METADATA)")
ADELE = "adele.vance@contoso.example"
_metadata = []


def metadata():
    if not _metadata:
        _metadata.append(Metadata())
    return _metadata[0]


@unittest.skipUnless(AVAILABLE, "Graph's metadata (../shared/graph) is not available")
class RouteContractTests(unittest.TestCase):
    def test_every_route_the_emulator_serves_resolves_in_graphs_metadata(self):
        routes = served_templates()
        self.assertGreater(len(routes), 50)
        failures = []
        for version, template in routes:
            target, reason = metadata().resolve(f"/{version}{template}")
            if target is None:
                failures.append(f"/{version}{template}: {reason}")
        self.assertEqual(failures, [])

    def test_the_resolver_names_what_graph_does_not_have(self):
        cases = {
            "/v1.0/users/{id}/photoo": "'photoo' is not a navigation property of microsoft.graph.user",
            "/v1.0/admin/people/photoUpdateSettings": "'photoUpdateSettings' is not a navigation property",
            "/v1.0/users/{id}/$value": "microsoft.graph.user has no media stream",
            "/v1.0/people/{id}/photo": "'people' is not an entity set or singleton",
                        "/v1.0/users/{id}/photo/$value/x": "$value must be the last segment",
            "/beta/teams/{id}/photo/$value/": None,
        }
        for path, expected in cases.items():
            target, reason = metadata().resolve(path)
            if expected is None:
                self.assertIsNotNone(target, f"{path}: {reason}")
            else:
                self.assertIsNone(target, path)
                self.assertIn(expected, reason, path)

    def test_addressing_forms_resolve_like_the_plain_form(self):
        for path in ("/v1.0/users('%24admin@x.example')/photo/$value", "https://graph.microsoft.com/beta/users/a%40b.c"
                     "/photo/%24value?x=1", "/v1.0/Users/{id}/Photo", "/beta/users/{id}/contactFolders/{f}/contacts"):
            target, reason = metadata().resolve(path)
            self.assertIsNotNone(target, f"{path}: {reason}")

    def test_command_exits_1_naming_each_path_that_does_not_resolve_and_reads_stdin(self):
        proc = subprocess.run([sys.executable, CONTRACT], input="/v1.0/users/{id}/photo/$value\n/v1.0/users/{id}/"
                              "foto\n/beta/admin/people/photoUpdateSettings\n/v1.0/groups/{id}/photos/{size}/bar\n",
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(proc.stdout.splitlines(), [
            "/v1.0/users/{id}/foto: 'foto' is not a navigation property of microsoft.graph.user (v1.0)",
            "/v1.0/groups/{id}/photos/{size}/bar: 'bar' is not a navigation property of microsoft.graph.profilePhoto "
            "(v1.0)"])
        self.assertIn("4 paths, 2 do not resolve", proc.stderr)
        proc = subprocess.run([sys.executable, CONTRACT, "--version", "beta", "/users/{id}/photo/$value"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual((proc.returncode, proc.stdout), (0, ""), proc.stderr)
        proc = subprocess.run([sys.executable, CONTRACT, "--metadata", "/nonexistent", "/v1.0/users"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("cannot read Graph's metadata", proc.stderr)


class Declared:
    def assertDeclared(self, version, type_name, obj, allowed=()):
        self.assertIsInstance(obj, dict)
        unknown = [k for k in metadata().unknown_properties(version, type_name, obj) if k not in allowed]
        self.assertEqual(unknown, [], f"{type_name} ({version}) does not declare {unknown}")
        self.assertTrue([k for k in obj if "@" not in k], "no properties to check")


@unittest.skipUnless(AVAILABLE, "Graph's metadata (../shared/graph) is not available")
class PropertyContractTests(Declared, EmulatorTestCase):
    def setUp(self):
        super().setUp()
        self.token = self.emu.token()

    def test_user_properties_are_declared_in_both_versions(self):
        for version in ("v1.0", "beta"):
            _, _, user = self.emu.json("GET", f"/{version}/users/{ADELE}", token=self.token)
            self.assertDeclared(version, "microsoft.graph.user", user)
            _, _, user = self.emu.json("GET", f"/{version}/users/{ADELE}?$select={','.join(sorted(USER_ALL_PROPS))}",
                                       token=self.token)
            self.assertEqual(set(user) - {"@odata.context"}, USER_ALL_PROPS)
            self.assertDeclared(version, "microsoft.graph.user", user)
            _, _, page = self.emu.json("GET", f"/{version}/users?$top=2", token=self.token)
            for item in page["value"]:
                self.assertDeclared(version, "microsoft.graph.user", item)

    def test_photo_group_and_team_properties_are_declared(self):
        state = self.emu.state()
        group, team = next(iter(state["groups"])), next(iter(state["teams"]))
        for path in (f"users/{ADELE}", f"groups/{group}", f"teams/{team}"):
            status, _, _ = self.emu.call("PUT", f"/v1.0/{path}/photo/$value", png(64, 64),
                                         {"Content-Type": "image/png"}, self.token)
            self.assertIn(status, (200, 204))
            for version in ("v1.0", "beta"):
                status, _, meta = self.emu.json("GET", f"/{version}/{path}/photo", token=self.token)
                self.assertEqual(status, 200, meta)
                self.assertDeclared(version, "microsoft.graph.profilePhoto", meta)
        for version in ("v1.0", "beta"):
            self.assertDeclared(version, "microsoft.graph.group",
                                self.emu.json("GET", f"/{version}/groups/{group}", token=self.token)[2])
            self.assertDeclared(version, "microsoft.graph.team",
                                self.emu.json("GET", f"/{version}/teams/{team}", token=self.token)[2])

    def test_photo_update_settings_properties_are_declared_but_source(self):
        status, _, body = self.emu.json("GET", "/beta/admin/people/photoUpdateSettings", token=self.token)
        self.assertEqual(status, 200)
        # ../shared/graph/README.md: the beta metadata lists only allowedRoles; the reference pages also document
        # source (cloud, onPremises), which the emulator serves.
        self.assertDeclared("beta", "microsoft.graph.photoUpdateSettings", body, allowed=("source",))
        self.assertEqual(metadata().unknown_properties("beta", "microsoft.graph.photoUpdateSettings", body),
                         ["source"])


@unittest.skipUnless(AVAILABLE, "Graph's metadata (../shared/graph) is not available")
class ContactPropertyContractTests(Declared, EmulatorTestCase):


    def test_contact_and_folder_properties_are_declared(self):
        token = self.emu.device_token(ADELE, scope="Contacts.ReadWrite")["access_token"]
        for version in ("v1.0", "beta"):
            status, _, page = self.emu.json("GET", f"/{version}/me/contacts", token=token)
            self.assertEqual(status, 200, page)
            self.assertTrue(page["value"])
            for contact in page["value"]:
                self.assertDeclared(version, "microsoft.graph.contact", contact)
                for address in contact["emailAddresses"]:
                    self.assertEqual(set(address), {"address", "name"})  # microsoft.graph.emailAddress
            status, _, folders = self.emu.json("GET", f"/{version}/me/contactFolders", token=token)
            self.assertEqual(status, 200, folders)
            self.assertTrue(folders["value"])
            for folder in folders["value"]:
                self.assertDeclared(version, "microsoft.graph.contactFolder", folder)


if __name__ == "__main__":
    unittest.main()
