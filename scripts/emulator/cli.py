"""The command line of scripts/graph-emulator: flags, the help text, the stdout banner, start and stop."""

import argparse
import os
import signal
import sys
import threading

from . import keys, seed
from .core import Emulator
from .server import Server

HELP_EPILOG = r"""
stdout contract
  Line 1: the base URL, http://127.0.0.1:PORT (https:// with --tls; always 127.0.0.1). Then AZURE_TENANT_ID=...,
  AZURE_CLIENT_ID=..., AZURE_CLIENT_SECRET=... for the first app of the first tenant; with --tls also
  SSL_CERT_FILE=<ca.pem> and REQUESTS_CA_BUNDLE=<ca.pem> (the throwaway CA that signed the server's certificate);
  then a blank line; stdout is flushed. Logs go to stderr. SIGTERM/SIGINT stop the server cleanly (exit 0).
  The one base URL serves Entra and Graph: point both the authority URL and the Graph URL at it.

entra (on the base URL)
  GET  /{tenant}/v2.0/.well-known/openid-configuration   OpenID metadata (also /{tenant}/.well-known/...); every
                                       endpoint in it is on this emulator; issuer {base}/{tenant id}/v2.0
  GET  /common/discovery/instance?api-version=1.1&authorization_endpoint=...   instance discovery (MSAL)
  GET  /{tenant}/discovery/v2.0/keys   JWKS: the RS256 key (kid = x5t, n, e, x5c) that signs every token
  POST /{tenant}/oauth2/v2.0/token     client_credentials (client_secret, HTTP Basic, client_assertion),
                                       device_code, refresh_token; tenant = id, domain, or common/organizations
  POST /{tenant}/oauth2/v2.0/devicecode
  GET  /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...   IMDS (header Metadata: true, else 400
                                       bad_request_102); client_id, object_id or msi_res_id picks a user-assigned
                                       identity, none the system-assigned one; set AZURE_POD_IDENTITY_AUTHORITY_HOST
                                       to the base URL
  GET  /msi/token?api-version=2019-08-01&resource=...   App Service / Container Apps (header X-IDENTITY-HEADER =
                                       --identity-header); client_id, principal_id/object_id or mi_res_id; set
                                       IDENTITY_ENDPOINT={base}/msi/token and IDENTITY_HEADER
  Managed-identity answers are Azure's: strings, expires_on in seconds since 1970, client_id, resource.

default tenant (no --seed)
  Tenant contoso.example (id %(tenant)s), app "photoprov demo"
  (client id %(client)s, secret %(secret)s) with application roles
  ProfilePhoto.ReadWrite.All, User.Read.All, PeopleSettings.ReadWrite.All (and the same delegated permissions plus
  User.Read, public client flows on). Managed identities with the same roles: system-assigned (client id
  %(system)s) and user-assigned (client id %(user_mi)s).
  Users (@contoso.example): adele.vance (E1001; contacts "Reception Visitor" and, in folder Suppliers, "Supplier
  Contact"), alex.wilber (E1002), megan.bowen (E1003), lee.gu (E1004, no mailbox), joni.sherman (E1005,
  accountEnabled false), people.admin (People Administrator, for device code), global.admin (Global
  Administrator), user.admin (User Administrator). Group "All Company" and team "Photo Team".

--seed FILE (JSON)
  {"tenants": [ TENANT, ... ]}   or a single TENANT object at the top level. Paths are relative to the seed file.
  TENANT:
  {
    "id": "GUID",                        tenant id (default: uuid5 of the domain)
    "domain": "contoso.example",         also accepted in the token URL instead of the id
    "apps": [{
      "clientId": "GUID", "displayName": "name",
      "secrets": ["value", ...],          client secrets (form field client_secret or HTTP Basic)
      "certificates": ["PEM text or path to a PEM file", ...],   for client_assertion (PS256/RS256)
      "roles": ["ProfilePhoto.ReadWrite.All", ...],              application permissions -> token "roles"
      "delegatedPermissions": ["User.Read", ...],                consented delegated scopes (for .default)
      "publicClient": true,               device-code flow allowed without a secret (default true)
      "federatedCredentials": [{"issuer": "https://issuer.example", "subject": "repo:org/x:ref:main",
                                "audiences": ["api://AzureADTokenExchange"], "key": "HS256 key text"}]
    }],
    "managedIdentities": [{"clientId": "GUID", "principalId": "GUID (or objectId)", "resourceId": "/subscriptions/
               .../userAssignedIdentities/name", "systemAssigned": false, "displayName": "...", "roles": [...]}],
    "users": [{"id": "GUID (default uuid5 of the UPN)", "userPrincipalName": "a@contoso.example" (or "upn"; a guest
               is "a_fabrikam.example#EXT#@contoso.example"), "mail": "...", "displayName": "...", "employeeId":
               "...", "accountEnabled": true, "hasMailbox": true, "userType": "Member|Guest",
               "directoryRoles": ["role template id or GlobalAdministrator|UserAdministrator|PeopleAdministrator"],
               "photo": "path to a JPEG or PNG it already has",
               "contactFolders": [{"id": "...", "displayName": "...", "parent": "folder id or name"}],
               "contacts": [{"id": "...", "displayName": "...", "givenName": "...", "surname": "...",
                             "emailAddresses": [{"address": "...", "name": "..."}],
                             "folder": "folder id or name (created if new; default: the Contacts folder)",
                             "photo": "path"}]}],
    "groups": [{"id": "GUID", "displayName": "...", "photo": "path"}],
    "teams":  [{"id": "GUID", "displayName": "...", "photo": "path"}],
    "policy": {"source": "cloud" | "onPremises", "allowedRoles": ["role template id", ...]}
  }
  Any user can sign in through the device-code flow; directoryRoles become the token's "wids".

tokens
  Access tokens are JWTs signed RS256 with a published test key (header kid = x5t of the JWKS key), with aud
  https://graph.microsoft.com, iss https://sts.windows.net/{tid}/, tid, appid, azp, oid, iat, nbf, exp, idtyp, and
  "roles" (app, managed identity) or "scp" + "wids" + "upn" (delegated). Graph also accepts HS256 tokens signed with
  the published test key "photoprov-graph-emulator-fixed-test-key", so tests can forge claims.
  client_credentials needs scope https://graph.microsoft.com/.default and client_secret, or client_assertion
  (type urn:ietf:params:oauth:client-assertion-type:jwt-bearer):
  - certificate: header alg PS256 (salt = hash length) or RS256 and x5t#S256 (or x5t: SHA-1) naming a registered
    certificate, base64url with or without "=" padding; claims iss = sub = client id, aud = the token URL
    (https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token, or this emulator's own over http or https),
    nbf <= now < exp, exp - nbf <= 600 s, jti never seen before; the signature is checked with `openssl dgst`.
  - federated: an assertion whose iss is not the client id is matched against the app's federatedCredentials
    (iss, sub, aud in audiences) and must be HS256-signed with that credential's "key"; same time and jti rules.
  Delegated answers carry "scope" (Graph permissions, then openid/profile/offline_access/email when asked),
  "refresh_token" (offline_access), "id_token" (openid; RS256, iss {base}/{tid}/v2.0) and "client_info"
  (base64url {"uid","utid"}, when the request sends client_info=1).
  Entra errors are {"error", "error_description": "AADSTSnnn: ...", "error_codes", "timestamp", "trace_id",
  "correlation_id", "error_uri"}: AADSTS7000215 bad secret (401 invalid_client), AADSTS90002 unknown tenant (400),
  AADSTS700016 unknown app (400 unauthorized_client), AADSTS700027/700024/700023/700021 bad assertion (401),
  AADSTS7000219 replayed jti, AADSTS70021 no federated match, AADSTS1002012 scope without /.default,
  AADSTS500011 a resource other than Graph, AADSTS900144 missing parameter, AADSTS50049 unknown instance.
  Device code: POST /{tenant}/oauth2/v2.0/devicecode (client_id, scope) then poll the token URL with
  grant_type=urn:ietf:params:oauth:grant-type:device_code: authorization_pending (AADSTS70016) until approved,
  slow_down when polled faster than half the interval, expired_token (AADSTS70020), authorization_declined,
  AADSTS50057 for a disabled user.

graph (under /v1.0 and /beta; segments are compared without case, `//` is tolerated, `users('{id|upn}')` and
percent-encoded `$` work; a UPN that begins with `$` must use the users('...') form, as on Graph)
  GET users ($filter=employeeId|userPrincipalName|mail|id|displayName eq '...' or in (...), $select, $top,
  @odata.nextLink), GET users/{id|upn} ($select), GET me; photos: users/{id|upn}, me, groups/{id}, teams/{id}:
  GET photo (metadata: @odata.mediaContentType, @odata.mediaEtag, id "WxH", width, height), GET photo/$value
  (bytes with ETag and Cache-Control), PUT|PATCH photo/$value (200 empty body; teams 204), DELETE (204; not teams).
  Photos are stored as Graph holds them: a PNG is re-encoded as a JPEG of the same size (stdlib encoder), a JPEG
  kept as sent; the ETag changes at every upload, even of identical bytes. GET groups/{id}, GET teams/{id}.
  Contacts (users/{id|upn}/... and me/...): GET contacts ($filter=emailAddresses/any(a:a/address eq '...') [or ...],
  displayName eq '...', $select, $top (default 10), $skip in @odata.nextLink), GET contacts/{id}, GET
  contactFolders (the folders in the default Contacts folder), GET contactFolders/{id}, .../childFolders,
  .../contacts, .../contacts/{id}; contact photos at contacts/{id}/photo[/$value] and
  contactFolders/{id}/contacts/{id}/photo[/$value] (GET, PUT|PATCH 200; DELETE 405). Contacts.Read reads,
  Contacts.ReadWrite writes (else 403 ErrorAccessDenied; delegated callers reach only their own mailbox); 404
  ErrorInvalidUser, ErrorItemNotFound, MailboxNotEnabledForRESTAPI (no mailbox).
  GET|PATCH /beta/admin/people/photoUpdateSettings. POST $batch (<= 20 requests; dependsOn; binary bodies base64;
  responses in an order other than the requests', as Graph allows).
  Errors use {"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}} with
  request-id and client-request-id headers: 401 InvalidAuthenticationToken, 403 Authorization_RequestDenied,
  404 Request_ResourceNotFound, 404 ImageNotFound, 404 MailboxNotEnabledForRESTAPI, 400 ValidationWidthTooSmall
  (either side < 48 px), 413 RequestEntityTooLarge (> 4 MB), 500 ErrorInternalServerError for a body that is not
  a JPEG/PNG or a Content-Type other than image/jpeg or image/png, 400 BadRequest for an unknown segment, 405 for a
  method the route does not take, 403 ForbiddenByAdmindEditPolicy (policy source onPremises: everyone;
  allowedRoles: delegated callers whose wids hold none of the roles), 429 TooManyRequests with Retry-After (whole
  seconds), x-ms-throttle-scope (Tenant_Application/ReadWrite/{appId}/{tenantId}) and x-ms-throttle-information
  (WriteLimitExceeded or ResourceUnitLimitExceeded); with --throttle-rps, answers also carry x-ms-resource-unit: 1,
  and x-ms-throttle-limit-percentage (0.8..1.0) once more than 80%% of the bucket is used. The per-mailbox limits
  answer 429 ApplicationThrottled "Application is over its MailboxConcurrency|Request|IncomingBytes limit." with
  Retry-After.

permissions (app "roles" or delegated "scp"; any one suffices)
  read users: User.Read.All, User.ReadWrite.All, User.ReadBasic.All, Directory.Read(Write).All (+ User.Read for
  /me); read photos: those or ProfilePhoto.Read(Write).All; write user photos: ProfilePhoto.ReadWrite.All,
  User.ReadWrite.All, Directory.ReadWrite.All (+ User.ReadWrite for /me). A delegated caller writing someone
  else's photo also needs Global, User or People Administrator in "wids". Groups: ProfilePhoto.*, Group.*;
  teams: also TeamSettings.ReadWrite.All. photoUpdateSettings: PeopleSettings.Read.All / ReadWrite.All; a
  delegated PATCH also needs Global or People Administrator. Contacts: Contacts.Read / Contacts.ReadWrite.

behaviour controls
  Faults, drops and slow responses hit Graph requests only (not the token endpoint, not /_emulator);
  --token-fault-rate makes the token endpoint fail transiently (503) on its own. --latency-ms delays Graph and
  Entra answers, never the hooks. Each draw is a hash of (--random-seed, method, path, how many times that
  method+path was seen), so outcomes are deterministic with concurrent clients; a retry draws anew. A dropped
  request is not processed; a slow one is processed after the delay. The per-mailbox limits count, per app and
  mailbox (the user of users/{id}/photo and .../contacts, the group of groups/{id}/photo): requests in flight
  (a request holds its slot through its latency), requests in the last 10 minutes, bytes uploaded (PUT, PATCH,
  POST) in the last 5 minutes; $batch sub-requests count one by one.

test hooks (no authentication; never delayed, throttled or faulted)
  GET  /_emulator/state   {"users": {"<upn>": {"id", "uploads", "sha256", "bytes", "width", "height",
                          "contentType", "etag"}}, "groups": {"<id>": {...}}, "teams": {"<id>": {...}},
                          "contacts": {"<upn>": {"<contact id>": {"displayName", "emailAddresses", "folder",
                          "folderId", "uploads", "sha256", ...}}}, "requests": {"<status>": N}, "dropped": N,
                          "policy": {...}, "policies": {tid: {...}}}
                          (photo fields are null when there is no photo; sha256 is of the bytes Graph holds;
                          requests counts Graph and Entra answers)
  POST /_emulator/reset   photos back to the seed's, counters, throttle state and draws cleared, start-up policy
  GET  /_emulator/wait?arrived=N[&method=PUT][&timeout=S]   blocks until N Graph requests (of that method) have
                          arrived, counted on receipt before latency or faults; 200 {"arrived": n, "want": N},
                          or 408 after S seconds (default 60)
  GET  /_emulator/wait?answered=N&status=429[&timeout=S]    the same for answers sent with that status
  PUT  /_emulator/{users|groups|teams}/{id|upn}/photo   image bytes: the photo changes as if its owner set it in
                          Teams (new ETag; uploads not counted); 200 {"etag", "sha256"}
  POST /_emulator/devicecode/approve  {"user_code": "...", "user": "<upn>"} (add "deny": true to decline)
"""


def rate(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def non_negative(text):
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def count(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="graph-emulator",
        description="Local stand-in for Microsoft Graph and Entra ID (discovery, keys, token, device code, managed\n"
                    "identity, users, photos, contacts, photo policy, $batch) for photoprov's tests, demo and trial\n"
                    "runs. Listens on 127.0.0.1 only.",
        epilog=HELP_EPILOG % {"tenant": seed.DEMO_TENANT, "client": seed.DEMO_CLIENT_ID, "secret": seed.DEMO_SECRET,
                              "system": seed.DEMO_SYSTEM_IDENTITY, "user_mi": seed.DEMO_USER_IDENTITY},
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default 0: a free port)")
    p.add_argument("--tls", action="store_true",
                   help="serve HTTPS with a certificate from a throwaway CA made at start (openssl); the banner "
                        "adds SSL_CERT_FILE= and REQUESTS_CA_BUNDLE= naming the CA's PEM file")
    p.add_argument("--tls-dir", metavar="DIR",
                   help="with --tls, write ca.pem, server.pem and server.key to DIR (kept after exit) instead of a "
                        "temporary folder removed at exit")
    p.add_argument("--seed", metavar="FILE", help="JSON tenant definition (schema below); default: the demo tenant")
    p.add_argument("--users-csv", metavar="FILE", action="append", default=[],
                   help="add a user (to the first tenant) for every valid UPN in the CSV's upn/userPrincipalName/"
                        "mail/email/emailAddress column, read with photoprov's own CSV and key rules (header names "
                        "compared ignoring case, spaces, _ and -; delimiter , ; or tab counted outside quotes; BOM "
                        "ok; an employeeId/employeeNumber/employee/empId column is used too); repeatable")
    p.add_argument("--token-lifetime", type=int, default=3599, metavar="S",
                   help="access-token lifetime in seconds (default 3599); small values force expiry mid-run")
    p.add_argument("--identity-header", metavar="VALUE", default="graph-emulator-identity-header",
                   help="the X-IDENTITY-HEADER value /msi/token expects, i.e. IDENTITY_HEADER (default "
                        "graph-emulator-identity-header)")
    p.add_argument("--latency-ms", type=non_negative, default=0.0, metavar="N",
                   help="delay every Graph and Entra response by N ms")
    p.add_argument("--jitter-ms", type=non_negative, default=0.0, metavar="N",
                   help="plus a uniform random 0..N ms on Graph responses")
    p.add_argument("--throttle-rps", type=non_negative, default=0.0, metavar="R",
                   help="token bucket per app+tenant: R Graph requests per second (0 = off); excess gets 429")
    p.add_argument("--throttle-burst", type=non_negative, default=0.0, metavar="N",
                   help="bucket capacity (default max(1, R))")
    p.add_argument("--mailbox-concurrency", type=count, default=0, metavar="N",
                   help="per app and mailbox: at most N photo/contact requests in flight (Graph: 4; 0 = off)")
    p.add_argument("--mailbox-requests", type=count, default=0, metavar="N",
                   help="per app and mailbox: at most N photo/contact requests in 10 minutes (Graph: 10000; 0 = off)")
    p.add_argument("--mailbox-upload-bytes", type=count, default=0, metavar="N",
                   help="per app and mailbox: at most N bytes uploaded (PUT, PATCH, POST) in 5 minutes (Graph: "
                        "157286400, 150 MB; 0 = off)")
    p.add_argument("--fault-rate", type=rate, default=0.0, metavar="F",
                   help="share of Graph requests answered 503 or 504 (half of them with Retry-After: 1)")
    p.add_argument("--token-fault-rate", type=rate, default=0.0, metavar="F",
                   help="share of token-endpoint calls answered 503 temporarily_unavailable (AADSTS90033) with "
                        "Retry-After: 1")
    p.add_argument("--drop-rate", type=rate, default=0.0, metavar="F",
                   help="share of Graph requests whose connection is closed without a response")
    p.add_argument("--slow-rate", type=rate, default=0.0, metavar="F",
                   help="share of Graph requests answered only after --slow-ms")
    p.add_argument("--slow-ms", type=non_negative, default=30000.0, metavar="N",
                   help="delay of a slow response in ms (default 30000, past a typical client timeout)")
    p.add_argument("--random-seed", type=int, default=None, metavar="N",
                   help="makes faults, drops, slow responses, jitter and the $batch answer order deterministic")
    p.add_argument("--policy-source", choices=["cloud", "onPremises"],
                   help="photoUpdateSettings source at start (overrides the seed)")
    p.add_argument("--policy-roles", metavar="ID,...",
                   help="photoUpdateSettings allowedRoles at start: role template ids (or GlobalAdministrator, "
                        "UserAdministrator, PeopleAdministrator), comma-separated; empty string = none")
    p.add_argument("--store", metavar="DIR",
                   help="write the photos Graph holds to DIR/{users,groups,teams}/<id>.jpg and "
                        "DIR/contacts/<user id>/<contact id>.jpg instead of memory")
    p.add_argument("--approve-device-codes", metavar="UPN",
                   help="approve every device code at once, signed in as UPN")
    p.add_argument("--device-code-interval", type=int, default=1, metavar="S",
                   help="polling interval handed out with device codes (default 1; Entra uses 5)")
    p.add_argument("--device-code-lifetime", type=int, default=900, metavar="S",
                   help="device-code lifetime in seconds (default 900)")
    p.add_argument("--quiet", action="store_true", help="no per-request log lines on stderr")
    return p.parse_args(argv)


def build_emulator(opts, workdir):
    spec, base_dir = seed.load(opts.seed)
    try:
        emu = Emulator(opts, spec, base_dir, workdir)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        detail = f"missing field {e}" if isinstance(e, KeyError) else str(e)
        raise ValueError(f"seed {opts.seed or '(demo)'}: {detail}") from e
    for path in opts.users_csv:
        seed.add_csv_users(emu.tenants[0], path)
    if opts.approve_device_codes and not any(t.find_user(opts.approve_device_codes) for t in emu.tenants):
        raise ValueError(f"--approve-device-codes: no user {opts.approve_device_codes} in the tenant")
    return emu


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    workdir = keys.Workdir()
    try:
        return run(opts, workdir)
    finally:
        workdir.close()


def run(opts, workdir):
    try:
        emu = build_emulator(opts, workdir)
        if opts.store:
            os.makedirs(opts.store, exist_ok=True)
        tls = ca = None
        if opts.tls:
            tls, ca = keys.make_tls(opts.tls_dir or os.path.join(workdir.path, "tls"))
    except (OSError, ValueError, KeyError, keys.OpenSSLError) as e:
        sys.stderr.write(f"graph-emulator: {e}\n")
        return 2
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    # Installed before the URL is printed: a caller may signal as soon as it has read stdout.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # A parent that spawns us from a worker thread (Swift's Foundation.Process under libdispatch) hands down a
    # signal mask with SIGTERM blocked; without this the handler above would never run.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    server = Server(("127.0.0.1", opts.port), emu, tls)
    port = server.server_address[1]
    emu.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    tenant = emu.tenants[0]
    app = next(iter(tenant.apps.values()), None)
    out = [emu.base_url, f"AZURE_TENANT_ID={tenant.id}", f"AZURE_CLIENT_ID={app.client_id if app else ''}",
           f"AZURE_CLIENT_SECRET={app.secrets[0] if app and app.secrets else ''}"]
    if ca:
        out += [f"SSL_CERT_FILE={ca}", f"REQUESTS_CA_BUNDLE={ca}"]
    sys.stdout.write("\n".join(out + [""]) + "\n")
    sys.stdout.flush()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    sys.stderr.write(f"graph-emulator: listening on {emu.base_url} ({len(emu.tenants)} tenant(s), "
                     f"{sum(len(t.users_by_id) for t in emu.tenants)} users)\n")
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    sys.stderr.write("graph-emulator: stopped\n")
    return 0
