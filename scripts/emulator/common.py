"""Requests, answers and the error shapes shared by the Entra and Graph sides."""

import base64
import json
import re
import time
import uuid
from urllib.parse import parse_qs

GRAPH_AUD = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
# HS256 key of forged test tokens (see `entra.Tokens.verify`); published on purpose, not a secret.
TOKEN_KEY = b"photoprov-graph-emulator-fixed-test-key"
MAX_PHOTO_BYTES = 4 * 1024 * 1024
MAX_DRAIN_BYTES = 64 * 1024 * 1024
MIN_PHOTO_SIDE = 48
ID_NAMESPACE = uuid.UUID("6f1c9a52-3d0e-4b8e-9c57-2a7d4e1b0f36")

ROLE_GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
ROLE_USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
ROLE_PEOPLE_ADMIN = "024906de-61e5-49c8-8572-40335f1e0e10"
ROLE_DEFAULT_USER = "b79fbf4d-3ef9-4689-8143-76b194e85509"
ROLE_NAMES = {
    "globaladministrator": ROLE_GLOBAL_ADMIN,
    "useradministrator": ROLE_USER_ADMIN,
    "peopleadministrator": ROLE_PEOPLE_ADMIN,
}

JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
WWW_AUTH = [("WWW-Authenticate", 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/'
                                  f'oauth2/authorize", client_id="{GRAPH_APP_ID}"')]
DENIED = ("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def stable_id(kind, name):
    return str(uuid.uuid5(ID_NAMESPACE, kind + ":" + name.lower()))


def iso_now():
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())


def parse_role(value):
    key = re.sub(r"[^a-z]", "", value.lower())
    return ROLE_NAMES.get(key, value.strip())


class Drop(Exception):
    """Raised to close the connection without a response."""


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers=None, body=b""):
        self.status = status
        self.headers = headers or []
        self.body = body


class Request:
    """One HTTP request: `headers` has lower-case names; `path` is still percent-encoded."""

    __slots__ = ("method", "target", "path", "query", "headers", "body", "rid", "crid", "claims")

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        path, _, query = target.partition("?")
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.rid = str(uuid.uuid4())
        self.crid = headers.get("client-request-id") or self.rid
        self.claims = None


def json_response(status, obj, extra=None, content_type=JSON_TYPE):
    headers = [("Content-Type", content_type)]
    if extra:
        headers.extend(extra)
    return Response(status, headers, json.dumps(obj).encode("utf-8"))


def plain_json(status, obj):
    """An answer of the test hooks and of the managed-identity endpoints (no OData annotations)."""
    return json_response(status, obj, content_type="application/json; charset=utf-8")


def graph_error(req, status, code, message, extra=None):
    body = {"error": {"code": code, "message": message,
                      "innerError": {"date": iso_now(), "request-id": req.rid, "client-request-id": req.crid}}}
    return json_response(status, body, extra)


class GraphError(Exception):
    """A Graph error answer: {"error": {"code", "message", "innerError": {...}}}."""

    def __init__(self, status, code, message, extra=None):
        super().__init__(message)
        if status == 401 and extra is None:
            extra = WWW_AUTH
        self.status, self.code, self.message, self.extra = status, code, message, extra


class EntraError(Exception):
    """An Entra error answer: {"error", "error_description": "AADSTSnnn: ...", "error_codes", ...}."""

    def __init__(self, status, error, code, description):
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description


def not_found(key):
    return GraphError(404, "Request_ResourceNotFound",
                      f"Resource '{key}' does not exist or one of its queried reference-property objects are not "
                      "present.")


def method_not_allowed():
    return GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri.")


def query_params(req):
    """The query string as {name: [values]}, with `%24name` read as `$name` (clients encode the `$`)."""
    out = {}
    for k, v in parse_qs(req.query, keep_blank_values=True).items():
        out.setdefault(k, []).extend(v)
    return out
