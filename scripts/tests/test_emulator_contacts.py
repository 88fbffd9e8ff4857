"""A mailbox's contacts and contact folders, and the contacts' photos (user-list-contacts, contactfolder-*,
profilephoto-get/-update), with Contacts.Read / Contacts.ReadWrite enforced."""

import hashlib
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_harness import SeededTestCase, jpeg_header, png  # noqa: E402

BOX = "reception@fabrikam.example"
NOMAIL = "nomail@fabrikam.example"
WRITER, READER, NONE = ("c1000000-0000-0000-0000-00000000000c", "c2000000-0000-0000-0000-00000000000c",
                        "c3000000-0000-0000-0000-00000000000c")
FILTER = "emailAddresses/any(a:a/address eq '{}')"


class ContactTests(SeededTestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_folder("emu-contacts-")
        cls.supplier_photo = jpeg_header(90, 90)
        with open(os.path.join(cls.tmp, "supplier.jpg"), "wb") as f:
            f.write(cls.supplier_photo)
        contacts = [
            {"id": "c-ann", "displayName": "Ann Visitor", "emailAddresses": [{"address": "ann@visitors.example"}]},
            {"id": "c-bob", "displayName": "Bob Visitor",
             "emailAddresses": [{"address": "BOB@Visitors.example", "name": "Bob"}]},
            {"id": "c-dup1", "displayName": "Dup One", "emailAddresses": [{"address": "dup@x.example"}]},
            {"id": "c-dup2", "displayName": "Dup Two", "emailAddresses": [{"address": "dup@x.example"}]},
            {"id": "c-sup", "displayName": "Supplier", "folder": "Suppliers", "photo": "supplier.jpg",
             "emailAddresses": [{"address": "sales@supplier.example"}]},
            {"id": "c-local", "displayName": "Local Supplier", "folder": "f-local",
             "emailAddresses": [{"address": "local@supplier.example"}]},
        ] + [{"id": f"c-{i:02}", "displayName": f"Guest {i:02}", "emailAddresses": [{"address": f"g{i}@x.example"}]}
             for i in range(10)]
        cls.start_seeded({"domain": "fabrikam.example", "apps": [
            {"clientId": WRITER, "secrets": ["w"], "roles": ["Contacts.ReadWrite", "User.Read.All"]},
            {"clientId": READER, "secrets": ["r"], "roles": ["Contacts.Read"]},
            {"clientId": NONE, "secrets": ["n"], "roles": ["User.Read.All", "ProfilePhoto.ReadWrite.All"]}],
            "users": [{"userPrincipalName": BOX, "contacts": contacts,
                       "contactFolders": [{"id": "f-sup", "displayName": "Suppliers"},
                                          {"id": "f-local", "displayName": "Local", "parent": "Suppliers"}]},
                      {"userPrincipalName": NOMAIL, "hasMailbox": False},
                      {"userPrincipalName": "clerk@fabrikam.example"}]})

    def setUp(self):
        self.emu.reset()
        self.token = self.emu.token(client_id=WRITER, secret="w")

    def get(self, path, token=None):
        return self.emu.json("GET", f"/v1.0/users/{BOX}{path}", token=token or self.token)

    def all_pages(self, path):
        status, _, page = self.get(path)
        self.assertEqual(status, 200, page)
        items = list(page["value"])
        while "@odata.nextLink" in page:
            link = urllib.parse.urlsplit(page["@odata.nextLink"])
            self.assertEqual(link.netloc, self.emu.url.split("://")[1])
            status, _, page = self.emu.json("GET", f"{link.path}?{link.query}", token=self.token)
            items += page["value"]
        return items

    def test_contacts_of_the_default_folder_in_pages_of_ten(self):
        status, _, page = self.get("/contacts")
        self.assertEqual(len(page["value"]), 10)
        self.assertIn("$skip=10", page["@odata.nextLink"])
        ids = [c["id"] for c in self.all_pages("/contacts")]
        self.assertEqual(len(ids), 14)
        self.assertNotIn("c-sup", ids)  # in the Suppliers folder
        first = page["value"][0]
        self.assertEqual(first["parentFolderId"], self.get("/contactFolders/f-sup")[2]["parentFolderId"])
        self.assertTrue(first["@odata.etag"].startswith('W/"'))
        two = self.get("/contacts?$top=2")[2]
        self.assertEqual(len(two["value"]), 2)
        self.assertIn("$top=2", two["@odata.nextLink"])

    def test_filter_by_email_without_regard_to_case_select_and_errors(self):
        q = urllib.parse.quote
        one = self.get("/contacts?$filter=" + q(FILTER.format("bob@visitors.example")))[2]["value"]
        self.assertEqual([c["id"] for c in one], ["c-bob"])
        self.assertEqual(one[0]["emailAddresses"], [{"address": "BOB@Visitors.example", "name": "Bob"}])
        dup = self.get("/contacts?$filter=" + q(FILTER.format("dup@x.example")))[2]["value"]
        self.assertEqual(sorted(c["id"] for c in dup), ["c-dup1", "c-dup2"])
        none = self.get("/contacts?$filter=" + q(FILTER.format("nobody@x.example")))[2]["value"]
        self.assertEqual(none, [])
        both = self.get("/contacts?$filter=" + q(FILTER.format("ann@visitors.example") + " or " +
                                                 "emailAddresses/any(x:x/address eq 'g3@x.example')") +
                        "&$select=id,emailAddresses")[2]["value"]
        self.assertEqual(sorted(c["id"] for c in both), ["c-03", "c-ann"])
        self.assertEqual({k for c in both for k in c}, {"@odata.etag", "id", "emailAddresses"})
        body = self.assertGraphError(self.get("/contacts?$filter=" + q("startswith(displayName,'A')")), 400,
                                     "ErrorInvalidUrlQueryFilter")
        self.assertIn("invalid", body["error"]["message"])
        self.assertGraphError(self.get("/contacts?$select=colour"), 400, "RequestBroker--ParseUri")

    def test_contact_folders_child_folders_and_their_contacts(self):
        folders = self.get("/contactFolders")[2]["value"]
        self.assertEqual([(f["id"], f["displayName"]) for f in folders], [("f-sup", "Suppliers")])
        status, _, folder = self.get("/contactFolders/f-sup")
        self.assertEqual((status, folder["displayName"]), (200, "Suppliers"))
        children = self.get("/contactFolders/f-sup/childFolders")[2]["value"]
        self.assertEqual([(f["id"], f["parentFolderId"]) for f in children], [("f-local", "f-sup")])
        self.assertEqual([c["id"] for c in self.get("/contactFolders/f-sup/contacts")[2]["value"]], ["c-sup"])
        self.assertEqual([c["id"] for c in self.get("/contactFolders/f-local/contacts")[2]["value"]], ["c-local"])
        self.assertEqual(self.get("/contactFolders/f-local/contacts/c-local")[2]["displayName"], "Local Supplier")
        self.assertEqual(self.get("/contacts/c-sup")[2]["parentFolderId"], "f-sup")  # ids are mailbox-wide
        for path in ("/contactFolders/f-sup/contacts/c-ann", "/contactFolders/nope", "/contacts/nope"):
            self.assertGraphError(self.get(path), 404, "ErrorItemNotFound")

    def test_contact_photos_by_both_paths(self):
        self.assertGraphError(self.get("/contacts/c-ann/photo/$value"), 404, "ImageNotFound")
        status, headers, data = self.emu.call("PUT", f"/v1.0/users/{BOX}/contacts/c-ann/photo/$value", png(64, 64),
                                              {"Content-Type": "image/png"}, self.token)
        self.assertEqual((status, data), (200, b""))
        status, headers, data = self.emu.call("GET", f"/v1.0/users/{BOX}/contacts/c-ann/photo/$value",
                                              token=self.token)
        self.assertEqual((status, headers["content-type"], data[:2]), (200, "image/jpeg", b"\xff\xd8"))
        path = f"/v1.0/users/{BOX}/contactFolders/f-sup/contacts/c-sup/photo"
        _, headers, data = self.emu.call("GET", path + "/$value", token=self.token)
        self.assertEqual(data, self.supplier_photo)
        status, _, meta = self.emu.json("GET", path, token=self.token)
        self.assertEqual((status, meta["width"], meta["@odata.mediaEtag"]), (200, 90, headers["etag"]))
        self.assertEqual(self.emu.call("PATCH", path + "/$value", jpeg_header(70, 70), {"Content-Type": "image/jpeg"},
                                       self.token)[0], 200)
        self.assertGraphError(self.emu.json("DELETE", path + "/$value", token=self.token), 405, "Request_BadRequest")
        state = self.emu.state()["contacts"][BOX]
        self.assertEqual((state["c-ann"]["uploads"], state["c-sup"]["uploads"], state["c-sup"]["folder"]),
                         (1, 1, "Suppliers"))
        self.assertEqual(state["c-sup"]["sha256"], hashlib.sha256(jpeg_header(70, 70)).hexdigest())
        self.assertEqual(state["c-bob"]["emailAddresses"], [{"address": "BOB@Visitors.example", "name": "Bob"}])
        self.assertIsNone(state["c-bob"]["sha256"])
        self.emu.reset()
        self.assertEqual(self.emu.state()["contacts"][BOX]["c-sup"]["sha256"],
                         hashlib.sha256(self.supplier_photo).hexdigest())

    def test_contacts_permissions_and_mailbox_errors(self):
        reader = self.emu.token(client_id=READER, secret="r")
        self.assertEqual(self.get("/contacts", token=reader)[0], 200)
        self.assertEqual(self.emu.call("GET", f"/v1.0/users/{BOX}/contacts/c-sup/photo/$value", token=reader)[0], 200)
        body = self.assertGraphError(self.emu.json("PUT", f"/v1.0/users/{BOX}/contacts/c-ann/photo/$value",
                                                   png(64, 64), {"Content-Type": "image/png"}, reader), 403,
                                     "ErrorAccessDenied")
        self.assertEqual(body["error"]["message"], "Access is denied. Check credentials and try again.")
        none = self.emu.token(client_id=NONE, secret="n")
        self.assertGraphError(self.get("/contacts", token=none), 403, "ErrorAccessDenied")
        self.assertGraphError(self.emu.json("GET", f"/v1.0/users/{NOMAIL}/contacts", token=self.token), 404,
                              "MailboxNotEnabledForRESTAPI")
        self.assertGraphError(self.emu.json("GET", "/v1.0/users/ghost@fabrikam.example/contacts", token=self.token),
                              404, "ErrorInvalidUser")
        own = self.emu.device_token(BOX, scope="Contacts.ReadWrite", client_id=WRITER)["access_token"]
        self.assertEqual(len(self.emu.json("GET", "/v1.0/me/contacts", token=own)[2]["value"]), 10)
        self.assertEqual(self.emu.json("GET", "/v1.0/me/contactFolders/f-sup/contacts/c-sup", token=own)[0], 200)
        clerk = self.emu.device_token("clerk@fabrikam.example", scope="Contacts.ReadWrite",
                                      client_id=WRITER)["access_token"]
        self.assertGraphError(self.get("/contacts", token=clerk), 403, "ErrorAccessDenied")


if __name__ == "__main__":
    unittest.main()
