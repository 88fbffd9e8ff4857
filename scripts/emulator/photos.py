"""Profile photos of users, groups, teams and contacts, with the semantics of Graph's reference pages."""

import hashlib
import os
import threading
import time

from .common import (DENIED, GRAPH_AUD, MAX_PHOTO_BYTES, MIN_PHOTO_SIDE, ROLE_GLOBAL_ADMIN, ROLE_PEOPLE_ADMIN,
                     ROLE_USER_ADMIN, GraphError, Response, json_response, method_not_allowed, not_found)
from .images import DECODE_ERRORS, image_dimensions
from .seed import Photo

# https://learn.microsoft.com/graph/api/profilephoto-get and profilephoto-update list these permissions.
P_USER_READ = {"User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All",
               "Directory.ReadWrite.All"}
P_PHOTO_READ = P_USER_READ | {"ProfilePhoto.Read.All", "ProfilePhoto.ReadWrite.All"}
P_ME_PHOTO_READ = P_PHOTO_READ | {"User.Read", "User.ReadWrite"}
P_PHOTO_WRITE = {"ProfilePhoto.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}
P_ME_PHOTO_WRITE = P_PHOTO_WRITE | {"User.ReadWrite"}
P_GROUP_PHOTO_READ = {"ProfilePhoto.Read.All", "ProfilePhoto.ReadWrite.All", "Group.Read.All", "Group.ReadWrite.All",
                      "Directory.Read.All", "Directory.ReadWrite.All"}
P_GROUP_PHOTO_WRITE = {"ProfilePhoto.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
P_TEAM_PHOTO_READ = P_GROUP_PHOTO_READ | {"Team.ReadBasic.All", "TeamSettings.Read.All", "TeamSettings.ReadWrite.All"}
P_TEAM_PHOTO_WRITE = P_GROUP_PHOTO_WRITE | {"TeamSettings.ReadWrite.All"}
PHOTO_ADMIN_ROLES = {ROLE_GLOBAL_ADMIN, ROLE_USER_ADMIN, ROLE_PEOPLE_ADMIN}
IMAGE_TYPES = ("image/jpeg", "image/png", "image/jpg", "image/pjpeg")


def image_not_found():
    # profilephoto-get: "If no photo exists, the operation returns 404 Not Found", with the code ImageNotFound and
    # this message from Exchange's profile service.
    return GraphError(404, "ImageNotFound",
                      "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.")


def no_mailbox():
    return GraphError(404, "MailboxNotEnabledForRESTAPI", "REST API is not yet supported for this mailbox.")


class Photos:
    """The photos Graph holds, keyed (kind, tenant id, object id[, contact id]); seeded ones come back at reset."""

    def __init__(self, emu):
        self.emu = emu
        self.lock = threading.Lock()
        self.store_dir = emu.opts.store
        self.reset()

    def seeded(self):
        for t in self.emu.tenants:
            for u in t.users_by_id.values():
                if u.photo:
                    yield ("users", t.id, u.id), u.photo
                for c in u.contacts.values():
                    if c.photo:
                        yield ("contacts", t.id, u.id, c.id), c.photo
            for kind, objects in (("groups", t.groups), ("teams", t.teams)):
                for oid, obj in objects.items():
                    if obj.photo:
                        yield (kind, t.id, oid), obj.photo

    def reset(self):
        with self.lock:
            self.photos = {}
            self.uploads = {}
            self.serial = 0
        if self.store_dir and os.path.isdir(self.store_dir):
            for root, _, files in os.walk(self.store_dir):
                for name in files:
                    if name.endswith(".jpg"):
                        os.unlink(os.path.join(root, name))
        for key, photo in self.seeded():
            self.put(key, photo, counted=False)

    def put(self, key, photo, counted):
        """Stores `photo` for `key` with a new ETag (Graph changes it at every upload, even of the same bytes)."""
        entry = {"type": photo.type, "width": photo.width, "height": photo.height, "sha256": photo.sha256,
                 "bytes": len(photo.data)}
        if self.store_dir:
            folder = os.path.join(self.store_dir, *key[:1], *key[2:-1])
            os.makedirs(folder, exist_ok=True)
            entry["path"] = os.path.join(folder, key[-1] + ".jpg")
            with open(entry["path"], "wb") as f:
                f.write(photo.data)
        else:
            entry["data"] = photo.data
        with self.lock:
            self.serial += 1
            if counted:
                self.uploads[key] = self.uploads.get(key, 0) + 1
            stamp = f"{photo.sha256}|{self.serial}|{time.time_ns()}"
            # The shape of Graph's `@odata.mediaEtag`, e.g. "BA09D118" (profilephoto-get example).
            entry["etag"] = '"' + hashlib.sha1(stamp.encode()).hexdigest()[:8].upper() + '"'
            self.photos[key] = entry
        return entry

    def get(self, key):
        with self.lock:
            return self.photos.get(key)

    def delete(self, key):
        with self.lock:
            entry = self.photos.pop(key, None)
        if entry and entry.get("path"):
            try:
                os.unlink(entry["path"])
            except OSError:
                pass
        return entry

    def state(self, key):
        with self.lock:
            p = self.photos.get(key)
            s = {"uploads": self.uploads.get(key, 0), "sha256": None, "bytes": None, "width": None, "height": None,
                 "contentType": None, "etag": None}
        if p:
            s.update(sha256=p["sha256"], bytes=p["bytes"], width=p["width"], height=p["height"],
                     contentType=p["type"], etag=p["etag"])
        return s

    # -- handlers ----------------------------------------------------------------------------------------------------

    @staticmethod
    def read_permissions(kind):
        return {"users": P_PHOTO_READ, "groups": P_GROUP_PHOTO_READ, "teams": P_TEAM_PHOTO_READ}[kind]

    def user_photo(self, ctx):
        tenant = ctx.tenant
        key = ctx.claims["oid"] if ctx.me else ctx.key("user")
        user = tenant.users_by_id.get(key) if ctx.me else tenant.find_user(key)
        own = ctx.delegated and user is not None and ctx.claims.get("oid") == user.id
        if ctx.method == "GET":
            ctx.require(P_ME_PHOTO_READ if own else P_PHOTO_READ)
            if user is None:
                raise not_found(key)
            if not user.has_mailbox:
                raise no_mailbox()
            return self.read(ctx, ("users", tenant.id, user.id), "users", user.id)
        if not ctx.value:
            raise method_not_allowed()
        ctx.require(P_ME_PHOTO_WRITE if own else P_PHOTO_WRITE)
        if user is None:
            raise not_found(key)
        if ctx.delegated and not own and not (set(ctx.claims.get("wids", ())) & PHOTO_ADMIN_ROLES):
            raise GraphError(403, *DENIED)
        policy = ctx.tenant.policy
        if policy["source"] == "onPremises" or (
                ctx.delegated and policy["allowedRoles"] and
                not (set(ctx.claims.get("wids", ())) & set(policy["allowedRoles"]))):
            raise GraphError(403, "ForbiddenByAdmindEditPolicy",
                             "Exception of type "
                             "'Microsoft.Fast.Profile.Core.Exception.ForbiddenByAdmindEditPolicyException' was thrown.")
        if not user.has_mailbox:
            raise no_mailbox()
        return self.write(ctx, ("users", ctx.tenant.id, user.id), 200)

    def group_photo(self, ctx):
        return self.object_photo(ctx, "groups", ctx.tenant.groups, ctx.key("group"), P_GROUP_PHOTO_READ,
                                 P_GROUP_PHOTO_WRITE, 200)

    def team_photo(self, ctx):
        # https://learn.microsoft.com/graph/api/profilephoto-update: a team photo update answers 204 No Content;
        # https://learn.microsoft.com/graph/api/resources/profilephoto: delete supports only user or group photos.
        if ctx.method == "DELETE":
            raise method_not_allowed()
        return self.object_photo(ctx, "teams", ctx.tenant.teams, ctx.key("team"), P_TEAM_PHOTO_READ,
                                 P_TEAM_PHOTO_WRITE, 204)

    def object_photo(self, ctx, kind, objects, key, read, write, status):
        oid = key.lower()
        if ctx.method == "GET":
            ctx.require(read)
            if oid not in objects:
                raise not_found(key)
            return self.read(ctx, (kind, ctx.tenant.id, oid), kind, oid)
        if not ctx.value:
            raise method_not_allowed()
        ctx.require(write)
        if oid not in objects:
            raise not_found(key)
        return self.write(ctx, (kind, ctx.tenant.id, oid), status)

    def read(self, ctx, key, kind, oid, context=None):
        """GET photo ($value: the bytes with ETag and Cache-Control; else the profilePhoto metadata)."""
        p = self.get(key)
        if p is None:
            raise image_not_found()
        if ctx.value:
            data = p.get("data")
            if data is None:
                with open(p["path"], "rb") as f:
                    data = f.read()
            # The reference pages document the status and body only; the emulator marks the bytes private to the
            # caller and versioned by the ETag that metadata calls @odata.mediaEtag.
            return Response(200, [("Content-Type", p["type"]), ("ETag", p["etag"]), ("Cache-Control", "private")],
                            data)
        path = context or f"{kind}('{oid}')/photo"
        return json_response(200, {
            "@odata.context": f"{GRAPH_AUD}/{ctx.version}/$metadata#{path}/$entity",
            "@odata.mediaContentType": p["type"], "@odata.mediaEtag": p["etag"],
            "id": f"{p['width']}X{p['height']}", "height": p["height"], "width": p["width"]})

    def write(self, ctx, key, status):
        """PUT|PATCH photo/$value (https://learn.microsoft.com/graph/api/profilephoto-update): 200 with an empty
        body (teams: 204), or DELETE (204; 404 ImageNotFound when there is none)."""
        if ctx.method == "DELETE":
            if self.delete(key) is None:
                raise image_not_found()
            return Response(204)
        photo = self.accept(ctx.req)
        self.put(key, photo, counted=True)
        return Response(status)

    @staticmethod
    def accept(req):
        """The uploaded photo, or the error Graph answers for its body."""
        body = req.body
        if len(body) > MAX_PHOTO_BYTES:
            raise GraphError(413, "RequestEntityTooLarge",
                             f"The request body is {len(body)} bytes; a profile photo may be at most 4 MB "
                             f"({MAX_PHOTO_BYTES} bytes).")
        ctype = req.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in IMAGE_TYPES:
            # A real image sent as application/octet-stream gets this 500 from Graph
            # (https://github.com/microsoftgraph/msgraph-sdk-dotnet/issues/237).
            raise GraphError(500, "ErrorInternalServerError", "An internal server error occurred. The operation "
                                                              "failed.")
        dims = image_dimensions(body)
        if dims is None:
            # https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/6395
            raise GraphError(500, "ErrorInternalServerError",
                             "An internal server error occurred. The operation failed., The file you chose isn't an "
                             "image. Please choose a different file.")
        if dims[1] < MIN_PHOTO_SIDE or dims[2] < MIN_PHOTO_SIDE:
            raise GraphError(400, "ValidationWidthTooSmall",
                             "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ProfileBadRequestException' "
                             "was thrown.")
        try:
            return Photo(body)
        except DECODE_ERRORS as e:  # a PNG header over data that does not decode
            raise GraphError(500, "ErrorInternalServerError",
                             "An internal server error occurred. The operation failed., The file you chose isn't an "
                             "image. Please choose a different file.") from e
