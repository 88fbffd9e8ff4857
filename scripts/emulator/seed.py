"""The directory the emulator serves: tenants with apps, managed identities, users, groups, teams, contacts and the
photo policy, read from a `--seed` JSON file (schema in `scripts/graph-emulator --help`) or the built-in demo tenant."""

import base64
import hashlib
import json
import os
import re
import uuid

from . import csvrules
from .common import (ROLE_GLOBAL_ADMIN, ROLE_PEOPLE_ADMIN, ROLE_USER_ADMIN, b64url, parse_role, stable_id)
from .images import DECODE_ERRORS, image_dimensions, png_to_jpeg

DEMO_TENANT = "c3f2a8d4-5b6e-4f71-8a9c-0d1e2f3a4b5c"
DEMO_DOMAIN = "contoso.example"
DEMO_CLIENT_ID = "7d1e4c2a-9b3f-4e58-a6d0-1f2b3c4d5e6f"
DEMO_SECRET = "emulator-demo-secret~not-a-real-secret"
DEMO_SYSTEM_IDENTITY = "5a0c3e1f-7b2d-4c9a-8e6f-1d2c3b4a5f60"
DEMO_USER_IDENTITY = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
DEMO_PHOTO_ROLES = ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All"]


def pem_to_der(text):
    match = re.search(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", text, re.S)
    if not match:
        raise ValueError("no PEM certificate found")
    return base64.b64decode("".join(match.group(1).split()))


def thumbprint_key(value):
    """A certificate thumbprint as Entra compares it: base64url, with or without `=` padding, also in standard
    base64 (`+` `/`), as MSAL sends it (https://learn.microsoft.com/entra/identity-platform/certificate-credentials
    names x5t and x5t#S256 base64url-encoded; MSAL for Python pads them and Entra accepts that)."""
    if not isinstance(value, str):
        return None
    return value.strip().rstrip("=").replace("+", "-").replace("/", "_")


class Photo:
    """Photo bytes as Graph holds them (a PNG is re-encoded as JPEG), with what was measured."""

    __slots__ = ("data", "type", "width", "height", "sha256")

    def __init__(self, data):
        dims = image_dimensions(data)
        if dims is None:
            raise ValueError("not a JPEG or PNG image")
        if dims[0] == "image/png":
            data = png_to_jpeg(data)
        self.data = data
        self.type, self.width, self.height = "image/jpeg", dims[1], dims[2]
        self.sha256 = hashlib.sha256(data).hexdigest()


def load_photo(spec, base_dir, owner):
    path = spec.get("photo")
    if not path:
        return None
    full = path if os.path.isabs(path) else os.path.join(base_dir, path)
    try:
        with open(full, "rb") as f:
            return Photo(f.read())
    except (OSError, *DECODE_ERRORS) as e:
        raise ValueError(f"photo {path} of {owner}: {e}") from None


class App:
    def __init__(self, tenant, spec, base_dir):
        self.tenant = tenant
        self.client_id = str(spec.get("clientId") or spec.get("appId") or spec.get("id") or uuid.uuid4()).lower()
        self.display_name = spec.get("displayName", "app " + self.client_id[:8])
        self.secrets = list(spec.get("secrets", []))
        if spec.get("secret"):
            self.secrets.append(spec["secret"])
        self.roles = list(spec.get("roles", []))
        self.delegated = list(spec.get("delegatedPermissions", spec.get("scopes", [])))
        self.public_client = bool(spec.get("publicClient", True))
        self.sp_id = stable_id("sp", self.client_id)
        self.certs = []  # dicts: pem, x5t, x5t256 (thumbprint_key form), pubkey (PEM, filled on first use)
        for item in spec.get("certificates", []):
            text = item
            if "-----BEGIN" not in item:
                path = item if os.path.isabs(item) else os.path.join(base_dir, item)
                with open(path, "r", encoding="ascii") as f:
                    text = f.read()
            der = pem_to_der(text)
            self.certs.append({"pem": text, "x5t": b64url(hashlib.sha1(der).digest()),
                               "x5t256": b64url(hashlib.sha256(der).digest()), "pubkey": None})
        self.federated = []
        for fc in spec.get("federatedCredentials", []):
            self.federated.append({"issuer": fc["issuer"], "subject": fc["subject"],
                                   "audiences": list(fc.get("audiences", ["api://AzureADTokenExchange"])),
                                   "key": fc.get("key", "").encode("utf-8")})


class ManagedIdentity:
    """A system- or user-assigned managed identity: it signs in without a secret through the managed-identity
    endpoints, and its tokens carry `roles` like an app's."""

    def __init__(self, tenant, spec):
        self.tenant = tenant
        self.system_assigned = bool(spec.get("systemAssigned", False))
        self.client_id = str(spec.get("clientId") or uuid.uuid4()).lower()
        self.principal_id = str(spec.get("principalId") or spec.get("objectId") or
                                stable_id("mi", self.client_id)).lower()
        name = spec.get("displayName") or ("system-assigned" if self.system_assigned else "id-" + self.client_id[:8])
        self.display_name = name
        self.resource_id = spec.get("resourceId") or (
            f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/"
            f"Microsoft.ManagedIdentity/userAssignedIdentities/{name}")
        self.roles = list(spec.get("roles", []))


class ContactFolder:
    __slots__ = ("id", "display_name", "parent_id", "well_known")

    def __init__(self, fid, display_name, parent_id, well_known=None):
        self.id, self.display_name, self.parent_id, self.well_known = fid, display_name, parent_id, well_known

    def resource(self):
        return {"id": self.id, "displayName": self.display_name, "parentFolderId": self.parent_id}


class Contact:
    __slots__ = ("id", "display_name", "given", "surname", "emails", "folder_id", "photo", "company")

    def __init__(self, spec, folder_id, photo):
        self.id = spec["id"]
        self.display_name = spec.get("displayName", "")
        self.given = spec.get("givenName")
        self.surname = spec.get("surname")
        self.company = spec.get("companyName")
        self.emails = [{"address": e["address"], "name": e.get("name", e["address"])}
                       if isinstance(e, dict) else {"address": str(e), "name": str(e)}
                       for e in spec.get("emailAddresses", [])]
        self.folder_id = folder_id
        self.photo = photo

    def resource(self):
        return {"id": self.id, "createdDateTime": "2024-01-01T00:00:00Z",
                "lastModifiedDateTime": "2024-01-01T00:00:00Z", "changeKey": "EQAAABYAAAA", "categories": [],
                "parentFolderId": self.folder_id, "displayName": self.display_name, "givenName": self.given,
                "surname": self.surname, "companyName": self.company, "emailAddresses": list(self.emails),
                "businessPhones": [], "homePhones": [], "mobilePhone": None, "phones": [], "jobTitle": None}


def outlook_id(*parts):
    """An id shaped like Exchange's (base64 with padding), stable for the same parts."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return "AAMk" + base64.urlsafe_b64encode(digest + b"\x00").decode()


class User:
    def __init__(self, tenant, spec, base_dir=""):
        self.tenant = tenant
        self.upn = spec.get("userPrincipalName") or spec.get("upn")
        if not self.upn:
            raise ValueError("seed user without userPrincipalName")
        self.id = str(spec.get("id") or stable_id("user", self.upn)).lower()
        local = self.upn.split("@")[0]
        self.guest = "#ext#" in self.upn.lower() or spec.get("userType") == "Guest"
        # A guest's UPN is its home address with `@` turned into `_`, then `#EXT#@` and the host domain.
        home, _, home_domain = local.split("#")[0].rpartition("_")
        self.mail = spec.get("mail", f"{home}@{home_domain}" if self.guest and home else self.upn)
        parts = [p.capitalize() for p in re.split(r"[._-]+", local.split("#")[0]) if p]
        self.display_name = spec.get("displayName") or " ".join(parts) or local
        self.given = spec.get("givenName") or (parts[0] if parts else None)
        self.surname = spec.get("surname") or (parts[-1] if len(parts) > 1 else None)
        self.employee_id = spec.get("employeeId")
        self.enabled = bool(spec.get("accountEnabled", True))
        self.has_mailbox = bool(spec.get("hasMailbox", True))
        self.roles = [parse_role(r) for r in spec.get("directoryRoles", spec.get("roles", []))]
        self.photo = load_photo(spec, base_dir, self.upn)
        self.default_folder = ContactFolder(outlook_id("folder", self.id, "contacts"), "Contacts",
                                            outlook_id("folder", self.id, "root"), "contacts")
        self.folders = {}  # id -> ContactFolder below the default folder
        for f in spec.get("contactFolders", []):
            self.folder(f.get("displayName") or f["id"], f.get("id"), f.get("parent"))
        self.contacts = {}
        for c in spec.get("contacts", []):
            c = dict(c)
            c.setdefault("id", outlook_id("contact", self.id, c.get("displayName", ""), str(len(self.contacts))))
            folder = self.folder(c["folder"]) if c.get("folder") else self.default_folder
            self.contacts[c["id"]] = Contact(c, folder.id, load_photo(c, base_dir, f"contact {c['id']}"))

    def folder(self, name, fid=None, parent=None):
        """The folder named (or with id) `name`, created below `parent` (default: the Contacts folder) if new."""
        for f in [self.default_folder, *self.folders.values()]:
            if name in (f.id, f.display_name):
                return f
        parent_folder = self.folder(parent) if parent else self.default_folder
        f = ContactFolder(fid or outlook_id("folder", self.id, name), name, parent_folder.id)
        self.folders[f.id] = f
        return f

    def all_folders(self):
        return {self.default_folder.id: self.default_folder, **self.folders}

    def resource(self):
        return {
            "businessPhones": [], "displayName": self.display_name, "givenName": self.given, "jobTitle": None,
            "mail": self.mail if self.has_mailbox else None, "mobilePhone": None, "officeLocation": None,
            "preferredLanguage": None, "surname": self.surname, "userPrincipalName": self.upn, "id": self.id,
            "employeeId": self.employee_id, "accountEnabled": self.enabled,
            "userType": "Guest" if self.guest else "Member",
            "department": None, "companyName": None, "onPremisesSyncEnabled": None,
            "proxyAddresses": ["SMTP:" + self.mail] if self.has_mailbox and self.mail else [],
            "mailNickname": self.upn.split("@")[0].split("#")[0], "usageLocation": None,
            "createdDateTime": "2024-01-01T00:00:00Z", "onPremisesImmutableId": None,
            "assignedLicenses": [{"disabledPlans": [], "skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900"}]
            if self.has_mailbox else [],
        }


class Group:
    def __init__(self, spec, base_dir):
        self.id = str(spec["id"]).lower()
        self.display_name = spec.get("displayName", "")
        self.photo = load_photo(spec, base_dir, f"group {self.id}")

    def resource(self):
        nick = re.sub(r"[^a-z0-9]", "", self.display_name.lower()) or self.id[:8]
        return {"id": self.id, "displayName": self.display_name, "description": None, "groupTypes": ["Unified"],
                "mail": None, "mailEnabled": True, "mailNickname": nick, "securityEnabled": False,
                "visibility": "Public", "createdDateTime": "2024-01-01T00:00:00Z"}


class Team(Group):
    def resource(self):
        return {"id": self.id, "displayName": self.display_name, "description": None, "isArchived": False,
                "visibility": "public", "createdDateTime": "2024-01-01T00:00:00Z"}


class Tenant:
    def __init__(self, spec, base_dir):
        self.domain = (spec.get("domain") or "").lower() or None
        self.id = str(spec.get("id") or stable_id("tenant", self.domain or "tenant")).lower()
        self.display_name = spec.get("displayName", self.domain or self.id)
        self.apps = {}
        for a in spec.get("apps", []):
            app = App(self, a, base_dir)
            self.apps[app.client_id] = app
        self.identities = [ManagedIdentity(self, m) for m in spec.get("managedIdentities", [])]
        self.users_by_id = {}
        self.users_by_upn = {}
        for u in spec.get("users", []):
            self.add_user(User(self, u, base_dir))
        self.groups = {g.id: g for g in (Group(s, base_dir) for s in spec.get("groups", []))}
        self.teams = {t.id: t for t in (Team(s, base_dir) for s in spec.get("teams", []))}
        pol = spec.get("policy", {})
        self.initial_policy = {"source": pol.get("source", "cloud"),
                               "allowedRoles": [parse_role(r) for r in pol.get("allowedRoles", [])]}
        self.policy = None

    def add_user(self, user):
        if user.upn.lower() in self.users_by_upn:
            return False
        self.users_by_id[user.id] = user
        self.users_by_upn[user.upn.lower()] = user
        return True

    def find_user(self, key):
        key = key.lower()
        return self.users_by_id.get(key) or self.users_by_upn.get(key)


def demo_seed():
    d = DEMO_DOMAIN

    def u(name, emp, **extra):
        spec = {"userPrincipalName": f"{name}@{d}", "employeeId": emp}
        spec.update(extra)
        return spec

    return {"tenants": [{
        "id": DEMO_TENANT, "domain": d, "displayName": "Contoso (emulated)",
        "apps": [{"clientId": DEMO_CLIENT_ID, "displayName": "photoprov demo", "secrets": [DEMO_SECRET],
                  "roles": list(DEMO_PHOTO_ROLES),
                  "delegatedPermissions": ["User.Read", "ProfilePhoto.ReadWrite.All", "User.Read.All",
                                           "PeopleSettings.ReadWrite.All"],
                  "publicClient": True}],
        "managedIdentities": [
            {"systemAssigned": True, "clientId": DEMO_SYSTEM_IDENTITY, "displayName": "photoprov-host",
             "roles": list(DEMO_PHOTO_ROLES)},
            {"clientId": DEMO_USER_IDENTITY, "displayName": "id-photoprov", "roles": list(DEMO_PHOTO_ROLES)}],
        "users": [
            u("adele.vance", "E1001", contacts=[
                {"displayName": "Reception Visitor", "emailAddresses": [{"address": "visitor@fabrikam.example"}]},
                {"displayName": "Supplier Contact", "folder": "Suppliers",
                 "emailAddresses": [{"address": "sales@tailspin.example", "name": "Tailspin Sales"}]}]),
            u("alex.wilber", "E1002"), u("megan.bowen", "E1003"),
            u("lee.gu", "E1004", hasMailbox=False), u("joni.sherman", "E1005", accountEnabled=False),
            u("people.admin", None, directoryRoles=[ROLE_PEOPLE_ADMIN]),
            u("global.admin", None, directoryRoles=[ROLE_GLOBAL_ADMIN]),
            u("user.admin", None, directoryRoles=[ROLE_USER_ADMIN]),
        ],
        "groups": [{"id": stable_id("group", "all-company"), "displayName": "All Company"}],
        "teams": [{"id": stable_id("team", "photo-team"), "displayName": "Photo Team"}],
    }]}


def load(path):
    """The seed at `path` and the folder its relative paths start from; the demo tenant when `path` is None."""
    if not path:
        return demo_seed(), os.getcwd()
    with open(path, "r", encoding="utf-8-sig") as f:
        try:
            seed = json.load(f)
        except ValueError as e:
            raise ValueError(f"seed {path}: not valid JSON ({e})") from e
    if not isinstance(seed, dict):
        raise ValueError(f"seed {path}: the top level must be a JSON object")
    return seed, os.path.dirname(os.path.abspath(path))


def tenants(seed, base_dir):
    out = [Tenant(spec, base_dir) for spec in seed.get("tenants", [seed] if "tenants" not in seed else [])]
    if not out:
        raise ValueError("the seed defines no tenant")
    return out


def add_csv_users(tenant, path):
    """Adds a user to `tenant` for every valid UPN in the CSV at `path` (photoprov's CSV and key rules)."""
    for upn, emp in csvrules.read_users_csv(path):
        spec = {"userPrincipalName": upn}
        if emp:
            spec["employeeId"] = emp
        tenant.add_user(User(tenant, spec))
