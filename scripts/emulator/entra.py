"""Entra ID as real clients call it: discovery, keys, the token and device-code endpoints, client assertions, and the
managed-identity endpoints of Azure hosts, all on the emulator's own base URL."""

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

from . import keys
from .common import (GRAPH_APP_ID, GRAPH_AUD, ROLE_DEFAULT_USER, TOKEN_KEY, WWW_AUTH, EntraError, GraphError,
                     Response, b64url, b64url_decode, plain_json, query_params)
from .seed import thumbprint_key

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
OIDC_SCOPES = ("openid", "profile", "offline_access", "email")
GRAPH_RESOURCES = (GRAPH_AUD, GRAPH_AUD + "/", GRAPH_APP_ID)
TOKEN_JSON = [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store, no-cache")]


def resource_is_graph(resource):
    return resource.rstrip("/") in (GRAPH_AUD, GRAPH_APP_ID)


class Entra:
    def __init__(self, emu):
        self.emu = emu
        self.opts = emu.opts
        self.lock = threading.Lock()
        self.token_cache = {}  # access token -> claims, for tokens issued here or verified once
        self.jti_seen = {}
        self.device_codes = {}
        self.user_codes = {}
        self.refresh_tokens = {}

    # -- tokens ---------------------------------------------------------------------------------------------------

    def sign(self, claims):
        """A compact JWT signed RS256 with the emulator's key, named by `kid` (and `x5t`) as Entra does."""
        key = self.emu.signing_key
        header = {"typ": "JWT", "alg": "RS256", "x5t": key.kid, "kid": key.kid}
        signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
            b64url(json.dumps(claims, separators=(",", ":")).encode())
        return signing_input + "." + b64url(key.sign(signing_input.encode()))

    def issue_token(self, tenant, client_id, display_name, oid, user=None, scopes=None, roles=(), extra=None):
        """An access token for Graph: v1.0 claims as Entra issues them for https://graph.microsoft.com."""
        clock = time.time()
        now = int(clock)
        life = self.opts.token_lifetime
        # exp is rounded up so that a token is valid for at least `life` seconds despite whole-second claims.
        claims = {"aud": GRAPH_AUD, "iss": f"https://sts.windows.net/{tenant.id}/", "iat": now, "nbf": now,
                  "exp": math.ceil(clock) + life, "tid": tenant.id, "appid": client_id, "azp": client_id,
                  "app_displayname": display_name, "ver": "1.0", "uti": b64url(secrets.token_bytes(12))}
        if user is None:
            claims.update(idtyp="app", oid=oid, sub=oid)
            if roles:
                claims["roles"] = list(roles)
        else:
            claims.update(idtyp="user", oid=user.id, sub=user.id, upn=user.upn, unique_name=user.upn,
                          name=user.display_name, scp=" ".join(scopes or []),
                          wids=list(dict.fromkeys(list(user.roles) + [ROLE_DEFAULT_USER])))
        if extra:
            claims.update(extra)
        token = self.sign(claims)
        with self.lock:
            if len(self.token_cache) > 50000:
                self.token_cache.clear()
            self.token_cache[token] = claims
        return token, life, claims

    def app_token(self, tenant, app):
        return self.issue_token(tenant, app.client_id, app.display_name, app.sp_id, roles=app.roles)

    def check_bearer(self, req):
        """The claims of the request's bearer token, or the 401 Graph answers."""
        auth = req.headers.get("authorization")
        scheme, _, token = (auth or "").partition(" ")
        token = token.strip()
        if not auth or scheme.lower() != "bearer" or not token:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", WWW_AUTH)
        with self.lock:
            claims = self.token_cache.get(token)
        if claims is None:
            claims = self.verify(token)
            with self.lock:
                self.token_cache[token] = claims
        now = time.time()
        if now >= claims["exp"]:
            raise GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
        if now < claims["nbf"]:
            raise GraphError(401, "InvalidAuthenticationToken",
                             "Lifetime validation failed, the token is not yet valid.")
        req.claims = claims
        return claims

    def verify(self, token):
        """Checks a token this emulator did not just issue: RS256 with its key, or HS256 with the published test key
        (so tests can forge claims; no real client sends such a token)."""
        parts = token.split(".")
        if len(parts) != 3:
            raise GraphError(401, "InvalidAuthenticationToken",
                             "IDX14100: JWT is not well formed, there are no dots (.).")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            sig = b64url_decode(parts[2])
            if not isinstance(header, dict) or not isinstance(claims, dict) or \
                    not isinstance(claims.get("exp"), (int, float)) or \
                    not isinstance(claims.get("nbf", 0), (int, float)):
                raise ValueError("not a JWT")
            claims.setdefault("nbf", 0)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise GraphError(401, "InvalidAuthenticationToken", "Invalid JWT token. The token is malformed.")
        signing_input = (parts[0] + "." + parts[1]).encode()
        alg = header.get("alg")
        if alg == "RS256":
            valid = self.emu.signing_key.verify(signing_input, sig)
        elif alg == "HS256":
            valid = hmac.compare_digest(sig, hmac.new(TOKEN_KEY, signing_input, hashlib.sha256).digest())
        else:
            valid = False
        if not valid:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid signature.")
        if claims.get("aud") not in GRAPH_RESOURCES:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
        if claims.get("tid") not in self.emu.tenant_by_key:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid issuer.")
        return claims

    # -- dispatch ---------------------------------------------------------------------------------------------------

    def handle(self, req):
        path = req.path
        low = path.lower()
        if low == "/metadata/identity/oauth2/token":
            return self.imds(req)
        if low == "/msi/token":
            return self.app_service_identity(req)
        m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/(token|devicecode|authorize|logout)", path)
        if m:
            return self.oauth(req, unquote(m.group(1)), m.group(2))
        m = re.fullmatch(r"/([^/]+)(/v2\.0)?/\.well-known/openid-configuration", path)
        if m and req.method == "GET":
            return self.openid_configuration(unquote(m.group(1)))
        m = re.fullmatch(r"/([^/]+)/discovery/instance", path)
        if m and req.method == "GET":
            return self.instance_discovery(req)
        m = re.fullmatch(r"/([^/]+)/discovery(/v2\.0)?/keys", path)
        if m and req.method == "GET":
            return self.jwks(unquote(m.group(1)))
        raise EntraError(404, "invalid_request", 900561,
                         "The endpoint only accepts POST requests at /{tenant}/oauth2/v2.0/token or "
                         "/{tenant}/oauth2/v2.0/devicecode.")

    def error_response(self, req, e):
        trace = str(uuid.uuid4())
        corr = req.headers.get("client-request-id") or str(uuid.uuid4())
        stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        desc = f"AADSTS{e.code}: {e.description} Trace ID: {trace} Correlation ID: {corr} Timestamp: {stamp}"
        body = {"error": e.error, "error_description": desc, "error_codes": [e.code], "timestamp": stamp,
                "trace_id": trace, "correlation_id": corr,
                "error_uri": f"https://login.microsoftonline.com/error?code={e.code}"}
        headers = [*TOKEN_JSON, ("x-ms-request-id", trace)]
        if e.status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm=""'))
        return Response(e.status, headers, json.dumps(body).encode("utf-8"))

    def tenant(self, key, client_id=None):
        key = key.lower()
        if key in ("common", "organizations"):
            if client_id is None:
                return None
            for (tid, cid), app in self.emu.apps.items():
                if cid == client_id:
                    return app.tenant
            raise EntraError(400, "unauthorized_client", 700016,
                             f"Application with identifier '{client_id}' was not found in the directory.")
        t = self.emu.tenant_by_key.get(key)
        if t is None:
            raise EntraError(400, "invalid_request", 90002,
                             f"Tenant '{key}' not found. Check to make sure you have the correct tenant ID and are "
                             "signing into the correct cloud. Check with your subscription administrator, this may "
                             "happen if there are no active subscriptions for the tenant.")
        return t

    # -- discovery (what MSAL and azure-identity read before any token request) ---------------------------------

    def openid_configuration(self, key):
        """The OpenID Connect metadata document, shaped as Entra's
        (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#fetch-the-openid-configuration-document)
        with every endpoint on this emulator."""
        tenant = self.tenant(key)
        base = f"{self.emu.base_url}/{key}"
        issuer_tenant = tenant.id if tenant else "{tenantid}"
        doc = {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{self.emu.base_url}/{issuer_tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
                                 "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr",
                                 "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }
        return Response(200, [("Content-Type", "application/json; charset=utf-8"),
                              ("Cache-Control", "max-age=86400, private")], json.dumps(doc).encode())

    def instance_discovery(self, req):
        """Instance discovery (`/common/discovery/instance?api-version=1.1&authorization_endpoint=...`), which MSAL
        calls for an authority host it does not know: this emulator's host is its own, only alias."""
        qs = query_params(req)
        endpoint = (qs.get("authorization_endpoint") or [""])[0]
        parts = urlsplit(endpoint)
        own = urlsplit(self.emu.base_url)
        if parts.netloc.lower() != own.netloc.lower():
            raise EntraError(400, "invalid_instance", 50049, "Unknown or invalid instance.")
        tenant = parts.path.strip("/").split("/")[0] or "common"
        body = {"tenant_discovery_endpoint": f"{self.emu.base_url}/{tenant}/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [{"preferred_network": own.netloc, "preferred_cache": own.netloc,
                              "aliases": [own.netloc]}]}
        return plain_json(200, body)

    def jwks(self, key):
        """The signing keys (`jwks_uri`): the emulator's RS256 key with its `kid`, `n`, `e` and `x5c`."""
        tenant = self.tenant(key)
        jwk = dict(self.emu.signing_key.jwk)
        jwk["issuer"] = f"{self.emu.base_url}/{tenant.id if tenant else '{tenantid}'}/v2.0"
        return plain_json(200, {"keys": [jwk]})

    # -- the OAuth endpoints --------------------------------------------------------------------------------------

    def oauth(self, req, tenant_key, endpoint):
        if endpoint in ("authorize", "logout"):
            raise EntraError(400, "invalid_request", 900561,
                             "Interactive sign-in is not emulated; use the device-code flow "
                             f"(/{tenant_key}/oauth2/v2.0/devicecode) or client credentials.")
        if req.method != "POST":
            raise EntraError(400, "invalid_request", 900561, "The endpoint only accepts POST, OPTIONS requests.")
        try:
            form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8"), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            form = {}
        basic_secret = None
        auth = req.headers.get("authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                cid, _, sec = base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")
                form.setdefault("client_id", unquote(cid))
                basic_secret = unquote(sec)
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise EntraError(401, "invalid_client", 7000216, "The HTTP Basic authorization header is malformed.")
        client_id = form.get("client_id", "").strip().lower()
        grant = form.get("grant_type")
        if endpoint == "token" and not grant:
            raise EntraError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'grant_type'.")
        if not client_id:
            raise EntraError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'client_id'.")
        if endpoint == "token" and grant == "client_credentials" and tenant_key.lower() in ("common", "organizations"):
            raise EntraError(400, "invalid_request", 50194,
                             f"Application '{client_id}' is not configured as a multi-tenant application. Usage of "
                             "the /common endpoint is not supported for such applications. Use a tenant-specific "
                             "endpoint or configure the application to be multi-tenant.")
        tenant = self.tenant(tenant_key, client_id)
        app = self.emu.apps.get((tenant.id, client_id))
        if app is None:
            raise EntraError(400, "unauthorized_client", 700016,
                             f"Application with identifier '{client_id}' was not found in the directory "
                             f"'{tenant.display_name}'. This can happen if the application has not been installed by "
                             "the administrator of the tenant or consented to by any user in the tenant. You may "
                             "have sent your authentication request to the wrong tenant.")
        if endpoint == "devicecode":
            return self.device_code_start(tenant, app, form)
        if grant == "client_credentials":
            return self.client_credentials(tenant, app, form, basic_secret, tenant_key)
        if grant == DEVICE_GRANT:
            return self.device_code_poll(tenant, app, form)
        if grant == "refresh_token":
            return self.refresh(app, form)
        raise EntraError(400, "unsupported_grant_type", 70003,
                         f"The app requested an unsupported grant type '{grant}'.")

    @staticmethod
    def token_response(token, life, extra=None):
        body = {"token_type": "Bearer", "expires_in": life, "ext_expires_in": life, "access_token": token}
        if extra:
            body.update(extra)
        return Response(200, list(TOKEN_JSON), json.dumps(body).encode("utf-8"))

    def client_credentials(self, tenant, app, form, basic_secret, tenant_key):
        scope = form.get("scope", "").strip()
        if not scope:
            raise EntraError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'scope'.")
        resource = scope.split()[0]
        if not resource.endswith("/.default"):
            raise EntraError(400, "invalid_scope", 1002012,
                             f"The provided value for scope {scope} is not valid. Client credential flows must have "
                             "a scope value with /.default suffixed to the resource identifier (application ID URI).")
        if not resource_is_graph(resource[:-len("/.default")]):
            raise self.unknown_resource(resource[:-len("/.default")], tenant)
        secret = form.get("client_secret", basic_secret)
        assertion = form.get("client_assertion")
        if secret is not None and secret != "":
            if not any(hmac.compare_digest(secret.encode(), s.encode()) for s in app.secrets):
                raise EntraError(401, "invalid_client", 7000215,
                                 "Invalid client secret provided. Ensure the secret being sent in the request is the "
                                 "client secret value, not the client secret ID, for a secret added to app "
                                 f"'{app.client_id}'.")
        elif assertion:
            if form.get("client_assertion_type") != ASSERTION_TYPE:
                raise EntraError(400, "invalid_request", 700013,
                                 f"Unsupported client_assertion_type. Expected '{ASSERTION_TYPE}'.")
            self.check_assertion(tenant, app, assertion, tenant_key)
        else:
            raise EntraError(401, "invalid_client", 7000218,
                             "The request body must contain the following parameter: 'client_assertion' or "
                             "'client_secret'.")
        token, life, _ = self.app_token(tenant, app)
        return self.token_response(token, life)

    @staticmethod
    def unknown_resource(resource, tenant):
        return EntraError(400, "invalid_resource", 500011,
                          f"The resource principal named {resource} was not found in the tenant named "
                          f"{tenant.display_name}. This can happen if the application has not been installed by the "
                          "administrator of the tenant or consented to by any user in the tenant. You might have sent "
                          "your authentication request to the wrong tenant.")

    # -- client assertions ------------------------------------------------------------------------------------------

    def assertion_audiences(self, tenant, tenant_key):
        """Token URLs an assertion may name as `aud`: login.microsoftonline.com's or this emulator's own, over http
        or https (https://learn.microsoft.com/entra/identity-platform/certificate-credentials: aud is the token
        endpoint)."""
        own = urlsplit(self.emu.base_url).netloc
        hosts = ("https://login.microsoftonline.com", f"http://{own}", f"https://{own}")
        out = set()
        for t in {tenant_key.lower(), tenant.id, tenant.domain or tenant.id}:
            for host in hosts:
                out.update({f"{host}/{t}/oauth2/v2.0/token", f"{host}/{t}/oauth2/token", f"{host}/{t}/v2.0"})
        return out

    def check_assertion(self, tenant, app, assertion, tenant_key):
        parts = assertion.split(".")
        try:
            if len(parts) != 3:
                raise ValueError("parts")
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
            if not isinstance(header, dict) or not isinstance(claims, dict):
                raise ValueError("not objects")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise EntraError(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
        signing_input = (parts[0] + "." + parts[1]).encode("ascii")
        if claims.get("iss") != app.client_id and app.federated:
            return self.check_federated(app, header, claims, signature, signing_input)
        if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
            raise EntraError(401, "invalid_client", 700021,
                             "Client assertion application identifier doesn't match 'client_id' parameter. Review "
                             "the documentation at https://learn.microsoft.com/entra/identity-platform/"
                             "certificate-credentials.")
        auds = claims.get("aud")
        auds = auds if isinstance(auds, list) else [auds]
        valid = self.assertion_audiences(tenant, tenant_key)
        if not any(isinstance(a, str) and a.lower().rstrip("/") in valid for a in auds):
            raise EntraError(401, "invalid_client", 700023,
                             "Client assertion audience claim does not match Realm issuer. Review the documentation "
                             "at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.")
        self.check_times_and_jti(claims, app)
        alg = header.get("alg")
        if alg not in ("PS256", "RS256"):
            raise EntraError(401, "invalid_client", 5002738,
                             f"Invalid JWT token. '{alg}' is not a supported signature algorithm. Supported "
                             "signing algorithms are: 'RS256, PS256'.")
        s256, s1 = thumbprint_key(header.get("x5t#S256")), thumbprint_key(header.get("x5t"))
        thumb = header.get("x5t#S256") or header.get("x5t")
        cert = next((c for c in app.certs if (s256 and s256 == c["x5t256"]) or (s1 and s1 == c["x5t"])), None)
        if cert is None:
            raise EntraError(401, "invalid_client", 700027,
                             "Client assertion contains an invalid signature. [Reason - The key was not found., "
                             f"Thumbprint of key used by client: '{thumb}', Please visit the Azure Portal, Graph "
                             "Explorer or directly use MS Graph to see configured keys for app Id "
                             f"'{app.client_id}'.]")
        with self.lock:
            if cert["pubkey"] is None:
                cert["pubkey"] = keys.public_key_file(cert["pem"], self.emu.workdir.path)
        if not keys.verify(cert["pubkey"], alg, signing_input, signature, self.emu.workdir.path):
            raise EntraError(401, "invalid_client", 700027,
                             "Client assertion failed signature validation. [Reason - The provided signature value "
                             f"did not match the expected signature value., Thumbprint of key used by client: "
                             f"'{thumb}']")
        self.remember_jti(claims, app)

    def check_times_and_jti(self, claims, app):
        now = time.time()
        exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
        if not isinstance(exp, (int, float)) or not isinstance(nbf, (int, float)):
            raise EntraError(401, "invalid_client", 700024,
                             "Client assertion is not within its valid time range. The 'exp' and 'nbf' claims are "
                             "required.")
        if exp - nbf > 600:
            raise EntraError(401, "invalid_client", 700024,
                             f"Client assertion is not within its valid time range. Its lifetime (exp - nbf = "
                             f"{int(exp - nbf)} s) exceeds 10 minutes.")
        if now >= exp or now + 300 < nbf:
            fmt = "%Y-%m-%dT%H:%M:%SZ"
            raise EntraError(401, "invalid_client", 700024,
                             f"Client assertion is not within its valid time range. Current time: "
                             f"{time.strftime(fmt, time.gmtime(now))}, assertion valid from "
                             f"{time.strftime(fmt, time.gmtime(nbf))}, expiry time of assertion "
                             f"{time.strftime(fmt, time.gmtime(exp))}.")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise EntraError(401, "invalid_client", 700025, "Client assertion must contain a 'jti' claim.")
        with self.lock:
            seen = self.jti_seen.get((app.client_id, jti))
        if seen:
            raise self.replayed(jti)

    @staticmethod
    def replayed(jti):
        return EntraError(401, "invalid_client", 7000219,
                          f"Client assertion with jti '{jti}' was already used; a client assertion cannot be "
                          "replayed.")

    def remember_jti(self, claims, app):
        key = (app.client_id, claims["jti"])
        with self.lock:
            now = time.time()
            if len(self.jti_seen) > 100000:
                self.jti_seen = {k: v for k, v in self.jti_seen.items() if v > now}
            replay = key in self.jti_seen  # two identical assertions racing: only the first wins
            self.jti_seen[key] = claims["exp"]
        if replay:
            raise self.replayed(claims["jti"])

    def check_federated(self, app, header, claims, signature, signing_input):
        iss, sub = claims.get("iss"), claims.get("sub")
        auds = claims.get("aud")
        auds = auds if isinstance(auds, list) else [auds]
        match = [fc for fc in app.federated if fc["issuer"] == iss and fc["subject"] == sub]
        if not match:
            raise EntraError(400, "invalid_request", 70021,
                             f"No matching federated identity record found for presented assertion. Assertion "
                             f"Issuer: '{iss}'. Assertion Subject: '{sub}'. Assertion Audience: "
                             f"'{','.join(str(a) for a in auds)}'.")
        fc = next((f for f in match if any(a in f["audiences"] for a in auds)), None)
        if fc is None:
            raise EntraError(400, "invalid_request", 700212,
                             "No matching federated identity record found for presented assertion audience "
                             f"'{','.join(str(a) for a in auds)}'.")
        if header.get("alg") != "HS256" or not hmac.compare_digest(
                signature, hmac.new(fc["key"], signing_input, hashlib.sha256).digest()):
            raise EntraError(401, "invalid_client", 700027,
                             "Client assertion failed signature validation. [Reason - The provided signature value "
                             "did not match the expected signature value.]")
        self.check_times_and_jti(claims, app)
        self.remember_jti(claims, app)

    # -- device code ---------------------------------------------------------------------------------------------

    def device_code_start(self, tenant, app, form):
        scopes = form.get("scope", "").split()
        if not scopes:
            raise EntraError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'scope'.")
        user_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9))
        device_code = b64url(secrets.token_bytes(48))
        interval = self.opts.device_code_interval
        entry = {"tenant": tenant, "app": app, "scopes": scopes, "user_code": user_code,
                 "expires": time.time() + self.opts.device_code_lifetime, "interval": interval, "last_poll": 0.0,
                 "status": "pending", "user": None}
        with self.lock:
            self.device_codes[device_code] = entry
            self.user_codes[user_code] = entry
        if self.opts.approve_device_codes:
            user = tenant.find_user(self.opts.approve_device_codes)
            if user is not None:
                entry["status"], entry["user"] = "approved", user
        uri = "https://microsoft.com/devicelogin"
        body = {"user_code": user_code, "device_code": device_code, "verification_uri": uri,
                "expires_in": self.opts.device_code_lifetime, "interval": interval,
                "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} to "
                           "authenticate. (Emulator: POST /_emulator/devicecode/approve.)"}
        return Response(200, [("Content-Type", "application/json; charset=utf-8")], json.dumps(body).encode())

    @staticmethod
    def delegated_scopes(app, requested):
        out = []
        for s in requested:
            if s.lower() in OIDC_SCOPES:
                continue
            for prefix in (GRAPH_AUD + "/", GRAPH_APP_ID + "/"):
                if s.lower().startswith(prefix.lower()):
                    s = s[len(prefix):]
                    break
            if s == ".default":
                out.extend(app.delegated)
            else:
                out.append(s)
        return list(dict.fromkeys(out))

    def device_code_poll(self, tenant, app, form):
        code = form.get("device_code") or form.get("code")
        if not code:
            raise EntraError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'device_code'.")
        now = time.time()
        with self.lock:
            entry = self.device_codes.get(code)
            if entry is None or entry["app"] is not app:
                raise EntraError(400, "invalid_grant", 70019,
                                 "The provided value for the input parameter 'device_code' is not valid.")
            if now >= entry["expires"]:
                raise EntraError(400, "expired_token", 70020,
                                 "The provided value for the input parameter 'device_code' is not valid. This device "
                                 "code has expired.")
            too_fast = now - entry["last_poll"] < entry["interval"] / 2.0
            entry["last_poll"] = now
            status = entry["status"]
            if status == "pending":
                if too_fast:
                    raise EntraError(400, "slow_down", 70016,
                                     "OAuth 2.0 device flow error. Authorization is pending and the client is polling "
                                     "too fast. Slow down.")
                raise EntraError(400, "authorization_pending", 70016,
                                 "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
            if status == "declined":
                raise EntraError(400, "authorization_declined", 70000,
                                 "The user declined the authentication request.")
            del self.device_codes[code]
            self.user_codes.pop(entry["user_code"], None)
        if not app.public_client:
            raise EntraError(401, "invalid_client", 7000218,
                             "The request body must contain the following parameter: 'client_assertion' or "
                             "'client_secret'.")
        user = entry["user"]
        if not user.enabled:
            raise EntraError(400, "invalid_grant", 50057,
                             "The user account is disabled. The account has been disabled by an administrator.")
        return self.user_tokens(tenant, app, user, entry["scopes"], form)

    def user_tokens(self, tenant, app, user, requested, form):
        """The delegated answer: access token and `scope` (Graph permissions by their short names, then the OpenID
        scopes asked for), `refresh_token` for offline_access, `id_token` for openid, `client_info` when the client
        sends client_info=1 (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code)."""
        scopes = self.delegated_scopes(app, requested)
        token, life, _ = self.issue_token(tenant, app.client_id, app.display_name, None, user, scopes)
        asked = {s.lower() for s in requested}
        extra = {"scope": " ".join(scopes + [s for s in OIDC_SCOPES if s in asked])}
        if "offline_access" in asked:
            rt = b64url(secrets.token_bytes(48))
            with self.lock:
                self.refresh_tokens[rt] = (tenant, app, user, requested)
            extra["refresh_token"] = rt
        if "openid" in asked:
            extra["id_token"] = self.id_token(tenant, app, user, "email" in asked)
        if form.get("client_info") == "1":
            extra["client_info"] = b64url(json.dumps({"uid": user.id, "utid": tenant.id}).encode())
        return self.token_response(token, life, extra)

    def id_token(self, tenant, app, user, email):
        """A v2.0 id token (https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference)."""
        now = int(time.time())
        claims = {"aud": app.client_id, "iss": f"{self.emu.base_url}/{tenant.id}/v2.0", "iat": now, "nbf": now,
                  "exp": now + 3600, "name": user.display_name, "oid": user.id,
                  "preferred_username": user.upn,
                  "sub": b64url(hashlib.sha256(f"{app.client_id}|{user.id}".encode()).digest()[:32]),
                  "tid": tenant.id, "uti": b64url(secrets.token_bytes(12)), "ver": "2.0"}
        if email and user.mail:
            claims["email"] = user.mail
        return self.sign(claims)

    def refresh(self, app, form):
        rt = form.get("refresh_token", "")
        with self.lock:
            entry = self.refresh_tokens.get(rt)
        if entry is None or entry[1] is not app:
            raise EntraError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
        return self.user_tokens(entry[0], app, entry[2], entry[3], form)

    def approve(self, user_code, upn, deny):
        """The test hook behind POST /_emulator/devicecode/approve; returns (status, body)."""
        with self.lock:
            entry = self.user_codes.get(str(user_code).upper())
        if entry is None:
            return 404, {"error": "unknown user_code"}
        if deny:
            entry["status"] = "declined"
            return 200, {"declined": True}
        user = entry["tenant"].find_user(str(upn))
        if user is None:
            return 400, {"error": f"unknown user {upn!r} in tenant {entry['tenant'].id}"}
        entry["status"], entry["user"] = "approved", user
        return 200, {"approved": True}

    # -- managed identity --------------------------------------------------------------------------------------------

    def identity(self, qs, id_params):
        """The managed identity a request names by one of `id_params`, else the system-assigned one."""
        named = [(p, qs[p][0]) for p in id_params if qs.get(p)]
        if len(named) > 1:
            return None, "only one of " + ", ".join(id_params) + " may be given"
        for t in self.emu.tenants:
            for mi in t.identities:
                if not named:
                    if mi.system_assigned:
                        return mi, None
                    continue
                param, value = named[0]
                value = value.lower()
                if (param == "client_id" and mi.client_id == value) or \
                        (param in ("object_id", "principal_id") and mi.principal_id == value) or \
                        (param in ("msi_res_id", "mi_res_id") and mi.resource_id.lower() == value):
                    return mi, None
        return None, "Identity not found"

    def identity_token(self, mi):
        return self.issue_token(mi.tenant, mi.client_id, mi.display_name, mi.principal_id, roles=mi.roles,
                                extra={"xms_mirid": mi.resource_id})

    def imds(self, req):
        """The instance metadata service's token endpoint (`GET /metadata/identity/oauth2/token?api-version=
        2018-02-01&resource=...` with `Metadata: true`), answered as
        https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token documents:
        every field a string, `expires_on` in seconds since 1970; 400 bad_request_102 without the header."""
        if req.method != "GET":
            return plain_json(405, {"error": "invalid_request", "error_description": "Only GET is supported"})
        if req.headers.get("metadata") != "true":
            return plain_json(400, {"error": "bad_request_102",
                                    "error_description": "Required metadata header not specified"})
        qs = query_params(req)
        if not qs.get("api-version"):
            return plain_json(400, {"error": "invalid_request",
                                    "error_description": "Required query variable 'api-version' is missing"})
        resource = (qs.get("resource") or [""])[0]
        if not resource:
            return plain_json(400, {"error": "invalid_request",
                                    "error_description": "Required query variable 'resource' is missing"})
        mi, problem = self.identity(qs, ("client_id", "object_id", "msi_res_id"))
        if mi is None:
            return plain_json(400, {"error": "invalid_request", "error_description": problem})
        if not resource_is_graph(resource):
            return self.error_response(req, self.unknown_resource(resource, mi.tenant))
        token, life, claims = self.identity_token(mi)
        return plain_json(200, {"access_token": token, "client_id": mi.client_id, "expires_in": str(life),
                                "expires_on": str(claims["exp"]), "ext_expires_in": str(life),
                                "not_before": str(claims["nbf"]), "resource": resource, "token_type": "Bearer"})

    def app_service_identity(self, req):
        """App Service / Functions / Container Apps: `GET $IDENTITY_ENDPOINT?resource=...&api-version=2019-08-01`
        with `X-IDENTITY-HEADER: $IDENTITY_HEADER`, identity by client_id, principal_id (object_id) or mi_res_id
        (https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference)."""
        if req.method != "GET":
            return plain_json(405, {"error": "invalid_request", "error_description": "Only GET is supported"})
        if req.headers.get("x-identity-header") != self.opts.identity_header:
            return plain_json(400, {"error": "invalid_request",
                                    "error_description": "The X-IDENTITY-HEADER header is missing or does not match "
                                                         "IDENTITY_HEADER."})
        qs = query_params(req)
        version = (qs.get("api-version") or [""])[0]
        if version != "2019-08-01":
            return plain_json(400, {"error": "invalid_request",
                                    "error_description": f"api-version '{version}' is not supported; use 2019-08-01."})
        resource = (qs.get("resource") or [""])[0]
        if not resource:
            return plain_json(400, {"error": "invalid_request",
                                    "error_description": "Required query variable 'resource' is missing"})
        mi, problem = self.identity(qs, ("client_id", "principal_id", "object_id", "mi_res_id"))
        if mi is None:
            return plain_json(400, {"error": "invalid_request", "error_description": problem})
        if not resource_is_graph(resource):
            return self.error_response(req, self.unknown_resource(resource, mi.tenant))
        token, life, claims = self.identity_token(mi)
        return plain_json(200, {"access_token": token, "expires_on": str(claims["exp"]),
                                "not_before": str(claims["nbf"]), "resource": resource, "token_type": "Bearer",
                                "client_id": mi.client_id})
