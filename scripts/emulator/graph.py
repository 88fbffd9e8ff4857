"""Graph under /v1.0 and /beta: one route table (checked against Graph's metadata by scripts/graph-contract), the
addressing forms Graph accepts, users, groups, teams, the photo policy and $batch."""

import base64
import binascii
import hashlib
import json
import random
import re
from urllib.parse import unquote

from .common import (DENIED, GRAPH_AUD, ROLE_GLOBAL_ADMIN, ROLE_PEOPLE_ADMIN, GraphError, Request,
                     graph_error, json_response, method_not_allowed, not_found, query_params)

VERSIONS = ("v1.0", "beta")

# Permissions (app roles or delegated scopes) that allow each operation; any one suffices.
P_USER_READ = {"User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All",
               "Directory.ReadWrite.All"}
P_ME_READ = P_USER_READ | {"User.Read", "User.ReadWrite"}
P_GROUP_READ = {"Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
P_SETTINGS_READ = {"PeopleSettings.Read.All", "PeopleSettings.ReadWrite.All"}
P_SETTINGS_WRITE = {"PeopleSettings.ReadWrite.All"}
SETTINGS_ADMIN_ROLES = {ROLE_GLOBAL_ADMIN, ROLE_PEOPLE_ADMIN}

USER_DEFAULT_PROPS = ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                      "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"]
USER_ALL_PROPS = set(USER_DEFAULT_PROPS) | {"employeeId", "accountEnabled", "userType", "department",
                                            "companyName", "onPremisesSyncEnabled", "proxyAddresses",
                                            "mailNickname", "usageLocation", "createdDateTime",
                                            "onPremisesImmutableId", "assignedLicenses"}

# Every route the emulator serves below /v1.0 and /beta: (template, methods, handler, mailbox, versions). A
# `{name}` segment is a key; `mailbox` says whose mailbox the per-mailbox limits count ("user", "group"). Routes
# under /users/{user} are also served under /me. scripts/tests/test_graph_contract.py resolves every template
# against ../shared/graph.
ROUTES = [
    ("/users", ("GET",), "list_users", None, VERSIONS),
    ("/users/{user}", ("GET",), "get_user", None, VERSIONS),
    ("/users/{user}/photo", ("GET",), "photos.user_photo", "user", VERSIONS),
    ("/users/{user}/photo/$value", ("GET", "PUT", "PATCH", "DELETE"), "photos.user_photo", "user", VERSIONS),
    ("/users/{user}/contacts", ("GET",), "contacts.list_contacts", "user", VERSIONS),
    ("/users/{user}/contacts/{contact}", ("GET",), "contacts.get_contact", "user", VERSIONS),
    ("/users/{user}/contacts/{contact}/photo", ("GET",), "contacts.contact_photo", "user", VERSIONS),
    ("/users/{user}/contacts/{contact}/photo/$value", ("GET", "PUT", "PATCH", "DELETE"), "contacts.contact_photo",
     "user", VERSIONS),
    ("/users/{user}/contactFolders", ("GET",), "contacts.list_folders", "user", VERSIONS),
    ("/users/{user}/contactFolders/{folder}", ("GET",), "contacts.get_folder", "user", VERSIONS),
    ("/users/{user}/contactFolders/{folder}/childFolders", ("GET",), "contacts.list_folders", "user", VERSIONS),
    ("/users/{user}/contactFolders/{folder}/contacts", ("GET",), "contacts.list_contacts", "user", VERSIONS),
    ("/users/{user}/contactFolders/{folder}/contacts/{contact}", ("GET",), "contacts.get_contact", "user",
     VERSIONS),
    ("/users/{user}/contactFolders/{folder}/contacts/{contact}/photo", ("GET",), "contacts.contact_photo", "user",
     VERSIONS),
    ("/users/{user}/contactFolders/{folder}/contacts/{contact}/photo/$value", ("GET", "PUT", "PATCH", "DELETE"),
     "contacts.contact_photo", "user", VERSIONS),
    ("/groups/{group}", ("GET",), "get_group", None, VERSIONS),
    ("/groups/{group}/photo", ("GET",), "photos.group_photo", "group", VERSIONS),
    ("/groups/{group}/photo/$value", ("GET", "PUT", "PATCH", "DELETE"), "photos.group_photo", "group", VERSIONS),
    ("/teams/{team}", ("GET",), "get_team", None, VERSIONS),
    ("/teams/{team}/photo", ("GET",), "photos.team_photo", None, VERSIONS),
    ("/teams/{team}/photo/$value", ("GET", "PUT", "PATCH", "DELETE"), "photos.team_photo", None, VERSIONS),
    # https://learn.microsoft.com/graph/api/peopleadminsettings-list-photoupdatesettings (beta only).
    ("/admin/people/photoUpdateSettings", ("GET", "PATCH"), "photo_settings", None, ("beta",)),
]


def me_variant(template):
    return "/me" + template[len("/users/{user}"):] if template.startswith("/users/{user}") else None


def served_templates():
    """(version, template) of every route, /me forms and /$batch included."""
    out = []
    for template, _, _, _, versions in ROUTES:
        for v in versions:
            out.append((v, template))
            if me_variant(template):
                out.append((v, me_variant(template)))
    return out + [(v, "/$batch") for v in VERSIONS]


class Segment:
    __slots__ = ("text", "keyed")

    def __init__(self, text, keyed=False):
        self.text, self.keyed = text, keyed


KEY_FORM = re.compile(r"([^()]+)\((.*)\)")


def segments(path):
    """The path's segments, percent-decoded one by one (an encoded `/` stays in its segment): empty segments (`//`)
    are dropped and the key form `users('{id}')` becomes `users`, `{id}` (quotes off, `''` read as `'`)."""
    out = []
    for raw in path.split("/"):
        if not raw:
            continue
        m = KEY_FORM.fullmatch(raw)
        if m:
            out.append(Segment(unquote(m.group(1))))
            key = unquote(m.group(2))
            if len(key) >= 2 and key[0] == key[-1] == "'":
                key = key[1:-1].replace("''", "'")
            out.append(Segment(key, keyed=True))
        else:
            out.append(Segment(unquote(raw)))
    return out


class Route:
    def __init__(self, template, methods, handler, mailbox, versions, me=False):
        self.template, self.methods, self.handler, self.mailbox, self.versions = \
            template, methods, handler, mailbox, versions
        self.me = me
        self.parts = template.strip("/").split("/")

    def match(self, segs):
        """{placeholder: text} when `segs` fit this route (literals without regard to case), else None."""
        if len(segs) != len(self.parts):
            return None
        params = {}
        for part, seg in zip(self.parts, segs):
            if part.startswith("{"):
                params[part[1:-1]] = seg
            elif seg.keyed or seg.text.lower() != part.lower():
                return None
        return params


class Ctx:
    """One Graph request being answered: the request, its version, the caller's claims and tenant, the route's
    parameters (Segment objects) and whether it came through /me."""

    __slots__ = ("req", "version", "claims", "tenant", "params", "me", "method", "value")

    def __init__(self, req, version, claims, tenant, params, me, value):
        self.req, self.version, self.claims, self.tenant, self.params, self.me = \
            req, version, claims, tenant, params, me
        self.method = req.method
        self.value = value

    @property
    def delegated(self):
        return self.claims.get("idtyp") == "user"

    def permissions(self):
        if self.delegated:
            return set(self.claims.get("scp", "").split())
        return set(self.claims.get("roles", ()))

    def require(self, allowed, error=DENIED, status=403):
        if not (self.permissions() & allowed):
            raise GraphError(status, *error)

    def key(self, name):
        return self.params[name].text

    def user(self, missing=None):
        """The user named by {user} (or the caller for /me); `missing` is raised, or Graph's 404, when unknown."""
        if self.me:
            user = self.tenant.users_by_id.get(self.claims["oid"])
        else:
            user = self.tenant.find_user(self.key("user"))
        if user is None:
            raise missing or not_found(self.claims["oid"] if self.me else self.key("user"))
        return user


class Graph:
    def __init__(self, emu, photos, contacts):
        self.emu = emu
        self.photos = photos
        self.contacts = contacts
        self.routes = []
        for template, methods, handler, mailbox, versions in ROUTES:
            self.routes.append(Route(template, methods, handler, mailbox, versions))
            if me_variant(template):
                self.routes.append(Route(me_variant(template), methods, handler, mailbox, versions, me=True))

    # -- routing ------------------------------------------------------------------------------------------------------

    def resolve(self, version, rest):
        """(route, params) for the path below the version, or the 400/405 Graph answers."""
        segs = segments(rest)
        if not segs:
            raise GraphError(400, "BadRequest", "Invalid request.")
        for route in self.routes:
            params = route.match(segs)
            if params is None:
                continue
            for seg in params.values():
                # https://learn.microsoft.com/graph/api/user-get: a userPrincipalName that begins with `$` must be
                # written /users('$...'); in the plain form Graph reads it as a system query segment.
                if seg.text.startswith("$") and not seg.keyed:
                    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{seg.text}'.")
            if version not in route.versions:
                raise GraphError(400, "BadRequest", f"Resource not found for the segment '{route.parts[-1]}'.")
            return route, params
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{self.unknown_segment(segs)}'.")

    def unknown_segment(self, segs):
        for i in range(len(segs)):
            head = segs[:i + 1]
            if not any(len(r.parts) > i and r.match(head + [Segment("x")] * (len(r.parts) - i - 1)) is not None
                       for r in self.routes):
                return segs[i].text
        return segs[-1].text

    def mailbox(self, route, params, tenant, claims):
        """Whose mailbox the request touches (for the per-mailbox limits), or None."""
        if route.mailbox == "user":
            if route.me:
                return claims.get("oid")
            user = tenant.find_user(params["user"].text)
            return user.id if user else params["user"].text.lower()
        if route.mailbox == "group":
            return params["group"].text.lower()
        return None

    def answer(self, req, version, rest, claims, route=None, params=None):
        """Runs the request's handler; `route`/`params` when already resolved."""
        if route is None:
            route, params = self.resolve(version, rest)
        if req.method not in route.methods:
            raise method_not_allowed()
        if route.me and claims.get("idtyp") != "user":
            raise GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
        tenant = self.emu.tenant_by_key[claims["tid"]]
        ctx = Ctx(req, version, claims, tenant, params, route.me, route.parts[-1] == "$value")
        owner, _, name = route.handler.rpartition(".")
        target = getattr(self, owner) if owner else self
        return getattr(target, name)(ctx)

    # -- users ---------------------------------------------------------------------------------------------------------

    @staticmethod
    def select(ctx, allowed, type_name):
        values = query_params(ctx.req).get("$select")
        if not values:
            return None
        props = [p.strip() for p in values[0].split(",") if p.strip()]
        for p in props:
            if p not in allowed:
                raise GraphError(400, "BadRequest", f"Parsing OData Select and Expand failed: Could not find a "
                                                    f"property named '{p}' on type 'microsoft.graph.{type_name}'.")
        return props

    def get_user(self, ctx):
        ctx.require(P_ME_READ if ctx.me else P_USER_READ)
        user = ctx.user()
        res = user.resource()
        props = self.select(ctx, USER_ALL_PROPS, "user")
        if props:
            out = {"@odata.context": f"{GRAPH_AUD}/{ctx.version}/$metadata#users({','.join(props)})/$entity"}
        else:
            out = {"@odata.context": f"{GRAPH_AUD}/{ctx.version}/$metadata#users/$entity"}
            props = USER_DEFAULT_PROPS
        out.update((p, res[p]) for p in props)
        return json_response(200, out)

    FILTER_EQ = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.I)
    FILTER_IN = re.compile(r"^\s*(\w+)\s+in\s+\(\s*((?:'(?:[^']|'')*'\s*,?\s*)+)\)\s*$", re.I)
    FILTERABLE = {"employeeid": "employeeId", "userprincipalname": "userPrincipalName", "mail": "mail", "id": "id",
                  "displayname": "displayName"}

    def list_users(self, ctx):
        ctx.require(P_USER_READ)
        qs = query_params(ctx.req)
        users = sorted(ctx.tenant.users_by_id.values(), key=lambda u: u.upn.lower())
        flt = (qs.get("$filter") or [None])[0]
        if flt is not None:
            m = self.FILTER_EQ.match(flt)
            values = None
            if m:
                prop, values = m.group(1), [m.group(2).replace("''", "'")]
            else:
                m = self.FILTER_IN.match(flt)
                if m:
                    prop = m.group(1)
                    values = [v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", m.group(2))]
            if values is None:
                raise GraphError(400, "Request_UnsupportedQuery", "Unsupported Query.")
            name = self.FILTERABLE.get(prop.lower())
            if name is None:
                raise GraphError(400, "Request_UnsupportedQuery",
                                 f"Unsupported or invalid query filter clause specified for property '{prop}' of "
                                 "resource 'User'.")
            wanted = {v.lower() for v in values} if name != "employeeId" else set(values)
            users = [u for u in users if (v := u.resource()[name]) is not None and
                     (v if name == "employeeId" else v.lower()) in wanted]
        try:
            top = max(1, min(999, int((qs.get("$top") or ["100"])[0])))
            skip = max(0, int((qs.get("$skiptoken") or ["0"])[0]))
        except ValueError:
            raise GraphError(400, "BadRequest", "Invalid value for $top or $skiptoken.")
        selected = self.select(ctx, USER_ALL_PROPS, "user")
        props = selected or USER_DEFAULT_PROPS
        page = users[skip:skip + top]
        out = {"@odata.context": f"{GRAPH_AUD}/{ctx.version}/$metadata#users" +
                                 (f"({','.join(props)})" if selected else ""),
               "value": [{p: u.resource()[p] for p in props} for u in page]}
        if skip + top < len(users):
            out["@odata.nextLink"] = self.next_link(ctx, "$skiptoken", skip + top)
        return json_response(200, out)

    def next_link(self, ctx, name, value):
        """The request's URL with `name` (a paging parameter) set to `value`."""
        q = re.sub(r"(^|&)(\$|%24)" + re.escape(name[1:]) + r"=[^&]*", "", ctx.req.query).lstrip("&")
        return f"{self.emu.base_url}{ctx.req.path}?{q}{'&' if q else ''}{name}={value}"

    # -- groups and teams ---------------------------------------------------------------------------------------------

    def get_group(self, ctx):
        return self.directory_object(ctx, "groups", ctx.tenant.groups, ctx.key("group"))

    def get_team(self, ctx):
        return self.directory_object(ctx, "teams", ctx.tenant.teams, ctx.key("team"))

    def directory_object(self, ctx, kind, objects, key):
        ctx.require(P_GROUP_READ | P_USER_READ | self.photos.read_permissions(kind))
        obj = objects.get(key.lower())
        if obj is None:
            raise not_found(key)
        return json_response(200, dict({"@odata.context": f"{GRAPH_AUD}/{ctx.version}/$metadata#{kind}/$entity"},
                                       **obj.resource()))

    # -- photo policy -------------------------------------------------------------------------------------------

    def photo_settings(self, ctx):
        """GET|PATCH /beta/admin/people/photoUpdateSettings
        (https://learn.microsoft.com/graph/api/photoupdatesettings-get, photoupdatesettings-update): `source`
        (cloud, onPremises) and `allowedRoles`. The beta metadata in ../shared/graph lists only allowedRoles; the
        reference pages, newer, document source too."""
        tenant = ctx.tenant
        answer = {"@odata.context": f"{GRAPH_AUD}/beta/$metadata#admin/people/photoUpdateSettings/$entity"}
        if ctx.method == "GET":
            ctx.require(P_SETTINGS_READ)
            return json_response(200, dict(answer, **tenant.policy))
        ctx.require(P_SETTINGS_WRITE)
        if ctx.delegated and not (set(ctx.claims.get("wids", ())) & SETTINGS_ADMIN_ROLES):
            raise GraphError(403, *DENIED)
        try:
            body = json.loads(ctx.req.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError()
        except ValueError:
            raise GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type "
                                                "header is set and payload is of valid JSON format.")
        new = dict(tenant.policy)
        if "source" in body:
            if body["source"] not in ("cloud", "onPremises"):
                raise GraphError(400, "BadRequest",
                                 f"Invalid value '{body['source']}' for property 'source'; expected cloud or "
                                 "onPremises.")
            new["source"] = body["source"]
        if "allowedRoles" in body:
            roles = body["allowedRoles"]
            if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
                raise GraphError(400, "BadRequest", "Invalid value for property 'allowedRoles'.")
            new["allowedRoles"] = list(roles)
        for k in body:
            if k not in ("source", "allowedRoles", "@odata.type", "id"):
                raise GraphError(400, "BadRequest", f"Invalid property '{k}' for type photoUpdateSettings.")
        with self.emu.lock:
            tenant.policy = new
        return json_response(200, dict(answer, **new))

    # -- $batch --------------------------------------------------------------------------------------------------------

    def batch(self, req, version, claims):
        """POST /$batch (https://learn.microsoft.com/graph/json-batching): at most 20 requests, dependsOn honoured
        (a failed dependency answers 424), binary bodies base64. The responses come back in another order than the
        requests, which Graph allows ("the responses might appear in a different order"), so clients must match
        them by id."""
        try:
            payload = json.loads(req.body)
            items = payload["requests"]
            if not isinstance(items, list) or not items:
                raise ValueError()
        except (ValueError, KeyError, TypeError):
            raise GraphError(400, "BadRequest", "Invalid batch payload format.")
        if len(items) > 20:
            raise GraphError(400, "BadRequest", "The number of batch requests exceeds the allowed maximum of 20.")
        ids = set()
        for it in items:
            if not isinstance(it, dict) or not it.get("id") or not it.get("method") or not it.get("url"):
                raise GraphError(400, "BadRequest", "Invalid batch payload format: every request needs id, method "
                                                    "and url.")
            if str(it["id"]) in ids:
                raise GraphError(400, "BadRequest", f"Batch request id '{it['id']}' is duplicated.")
            ids.add(str(it["id"]))
        for it in items:
            for dep in it.get("dependsOn", []) or []:
                if str(dep) not in ids:
                    raise GraphError(400, "BadRequest", f"Batch request '{it['id']}' depends on unknown request "
                                                        f"'{dep}'.")
        results = {}
        out = []
        for it in items:
            rid = str(it["id"])
            deps = [str(d) for d in it.get("dependsOn", []) or []]
            if any(results.get(d, 424) >= 400 for d in deps):
                sub = Request(str(it["method"]).upper(), "/", {"client-request-id": req.crid}, b"")
                resp = graph_error(sub, 424, "FailedDependency", "Dependent request failed.")
            else:
                resp = self.batch_one(req, version, it)
            results[rid] = resp.status
            entry = {"id": rid, "status": resp.status}
            hdrs = {k: v for k, v in resp.headers}
            if resp.body:
                if hdrs.get("Content-Type", "").startswith("application/json"):
                    entry["body"] = json.loads(resp.body)
                else:
                    entry["body"] = base64.b64encode(resp.body).decode("ascii")
            entry["headers"] = hdrs
            out.append(entry)
        return json_response(200, {"responses": self.shuffled(out)})

    def shuffled(self, responses):
        """A deterministic order (per --random-seed and request ids) that differs from the requests' when n > 1."""
        order = list(responses)
        rng = random.Random(hashlib.sha256(
            f"{self.emu.faults.seed}|{'|'.join(r['id'] for r in responses)}".encode()).digest())
        rng.shuffle(order)
        if len(order) > 1 and [r["id"] for r in order] == [r["id"] for r in responses]:
            order = order[1:] + order[:1]
        return order

    def batch_one(self, outer, version, it):
        url = str(it["url"])
        if url.startswith(GRAPH_AUD):
            url = url[len(GRAPH_AUD):]
        url = url.lstrip("/")
        if url.startswith("v1.0/") or url.startswith("beta/"):
            sub_version, _, url = url.partition("/")
        else:
            sub_version = version
        headers = {k.lower(): str(v) for k, v in (it.get("headers") or {}).items()}
        headers["authorization"] = outer.headers.get("authorization", "")
        headers.setdefault("client-request-id", outer.crid)
        body = it.get("body")
        if body is None:
            raw = b""
        elif headers.get("content-type", "").startswith("image/") or (
                isinstance(body, str) and not headers.get("content-type", "").startswith("application/json")):
            try:
                raw = base64.b64decode(body, validate=True) if isinstance(body, str) else b""
            except (binascii.Error, ValueError):
                raw = body.encode("utf-8") if isinstance(body, str) else b""
        else:
            raw = json.dumps(body).encode("utf-8")
            headers.setdefault("content-type", "application/json")
        sub = Request(str(it["method"]).upper(), f"/{sub_version}/{url}", headers, raw)
        try:
            if sub_version not in VERSIONS:
                raise GraphError(400, "BadRequest", "Invalid version.")
            path = sub.path[len(sub_version) + 2:]
            if path.lower().startswith("$batch"):
                raise GraphError(400, "BadRequest", "Nested batch requests are not supported.")
            return self.emu.serve_graph(sub, sub_version, path, delay_ms=0)
        except GraphError as e:
            return graph_error(sub, e.status, e.code, e.message, e.extra)
