"""The emulator: its directory and state, and the dispatch of each request to Entra, Graph or the test hooks."""

import threading
import time

from . import hooks, keys, seed
from .common import Drop, EntraError, GraphError, graph_error, method_not_allowed, parse_role
from .contacts import Contacts
from .entra import Entra
from .faults import Faults
from .graph import Graph
from .photos import Photos


class Emulator:
    def __init__(self, opts, seed_spec, base_dir, workdir):
        self.opts = opts
        self.workdir = workdir
        self.lock = threading.Lock()
        # Wakes /_emulator/wait callers whenever a request arrives or an answer is counted.
        self.changed = threading.Condition(self.lock)
        self.tenants = seed.tenants(seed_spec, base_dir)
        self.tenant_by_key = {}
        for t in self.tenants:
            self.tenant_by_key[t.id] = t
            if t.domain:
                self.tenant_by_key[t.domain] = t
        self.apps = {(t.id, app.client_id): app for t in self.tenants for app in t.apps.values()}
        for t in self.tenants:
            if opts.policy_source:
                t.initial_policy["source"] = opts.policy_source
            if opts.policy_roles is not None:
                t.initial_policy["allowedRoles"] = [parse_role(r) for r in opts.policy_roles.split(",") if r.strip()]
        self.base_url = ""
        self.signing_key = keys.SigningKey(workdir.path)
        self.faults = Faults(opts)
        self.entra = Entra(self)
        self.photos = Photos(self)
        self.contacts = Contacts(self, self.photos)
        self.graph = Graph(self, self.photos, self.contacts)
        self.reset_state()

    # -- state ---------------------------------------------------------------------------------------------------

    def reset_state(self):
        """Photos back to the seed's, counters, throttle state and draws cleared, the start-up policy restored."""
        self.photos.reset()
        self.faults.reset()
        with self.lock:
            self.requests = {}
            self.arrived = {}  # Graph method -> requests received (counted before latency, faults or routing)
            self.dropped = 0
            for t in self.tenants:
                t.policy = {"source": t.initial_policy["source"],
                            "allowedRoles": list(t.initial_policy["allowedRoles"])}

    def count(self, status):
        key = str(status)
        with self.lock:
            self.requests[key] = self.requests.get(key, 0) + 1
            self.changed.notify_all()

    def arrive(self, method):
        with self.lock:
            self.arrived[method] = self.arrived.get(method, 0) + 1
            self.arrived["*"] = self.arrived.get("*", 0) + 1
            self.changed.notify_all()

    def state(self):
        users, groups, teams, contacts = {}, {}, {}, {}
        for t in self.tenants:
            for u in t.users_by_id.values():
                s = self.photos.state(("users", t.id, u.id))
                s["id"] = u.id
                users[u.upn] = s
            for kind, objects, out in (("groups", t.groups, groups), ("teams", t.teams, teams)):
                for oid, obj in objects.items():
                    s = self.photos.state((kind, t.id, oid))
                    s["displayName"] = obj.display_name
                    out[oid] = s
            contacts.update(self.contacts.state(t))
        with self.lock:
            return {"users": users, "groups": groups, "teams": teams, "contacts": contacts,
                    "requests": dict(self.requests), "dropped": self.dropped,
                    "policy": dict(self.tenants[0].policy), "policies": {t.id: dict(t.policy) for t in self.tenants}}

    # -- dispatch ---------------------------------------------------------------------------------------------------

    def handle(self, req):
        """Returns a Response, or raises Drop."""
        path = "/" + req.path.lstrip("/")  # `//v1.0/...` is tolerated, as Graph's front door does
        req.path = path
        if path.startswith("/_emulator/"):
            return hooks.handle(self, req)
        version, _, rest = path[1:].partition("/")
        version = version.lower()
        if version in ("v1.0", "beta"):
            resp = self.handle_graph(req, version, rest)
        else:
            resp = self.handle_entra(req)
        self.count(resp.status)
        return resp

    def handle_graph(self, req, version, rest):
        opts = self.opts
        self.arrive(req.method)
        delay = opts.latency_ms
        if self.faults.chaos:
            u = self.faults.draws(req.method, req.path)
            if u[0] < opts.drop_rate:
                with self.lock:
                    self.dropped += 1
                raise Drop()
            if u[1] < opts.fault_rate:
                kind = int(u[2] * 4)
                status = 503 if kind < 2 else 504
                extra = [("Retry-After", "1")] if kind % 2 == 0 else None
                if delay:
                    time.sleep(delay / 1000.0)
                code, msg = (("serviceNotAvailable", "The service is temporarily unavailable. Please retry.")
                             if status == 503 else ("gatewayTimeout", "The gateway timed out. Please retry."))
                return graph_error(req, status, code, msg, extra)
            if u[3] < opts.slow_rate:
                delay += opts.slow_ms
            delay += u[4] * opts.jitter_ms
        try:
            return self.serve_graph(req, version, rest, delay)
        except GraphError as e:
            return graph_error(req, e.status, e.code, e.message, e.extra)

    def serve_graph(self, req, version, rest, delay_ms):
        """Answers one Graph request (a $batch sub-request too, with no delay): bearer token, route, the per-mailbox
        limits (taken before the delay, so a slow request holds its slot), the tenant bucket, the handler."""
        slot = None
        try:
            early = None
            try:
                claims = self.entra.check_bearer(req)
                if rest.strip("/").lower() in ("$batch", "%24batch"):
                    route = params = None
                    if req.method != "POST":
                        raise method_not_allowed()
                else:
                    route, params = self.graph.resolve(version, rest)
                    tenant = self.tenant_by_key[claims["tid"]]
                    mailbox = self.graph.mailbox(route, params, tenant, claims)
                    if mailbox is not None and req.method in route.methods:
                        slot = self.faults.mailbox_enter(claims, mailbox, req.method, len(req.body))
            except GraphError as e:
                early = e
            if delay_ms:
                time.sleep(delay_ms / 1000.0)
            if early:
                raise early
            if route is None:
                return self.graph.batch(req, version, claims)
            extra = self.faults.tenant_throttle(claims, req.method != "GET")
            resp = self.graph.answer(req, version, rest, claims, route, params)
            resp.headers = resp.headers + extra
            return resp
        finally:
            self.faults.mailbox_leave(slot)

    def handle_entra(self, req):
        opts = self.opts
        if opts.token_fault_rate > 0 and "/oauth2/" in req.path and \
                self.faults.draws(req.method, req.path)[1] < opts.token_fault_rate:
            if opts.latency_ms:
                time.sleep(opts.latency_ms / 1000.0)
            resp = self.entra.error_response(req, EntraError(
                503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again."))
            resp.headers.append(("Retry-After", "1"))
            return resp
        if opts.latency_ms:
            time.sleep(opts.latency_ms / 1000.0)
        try:
            return self.entra.handle(req)
        except EntraError as e:
            return self.entra.error_response(req, e)
        except GraphError as e:
            return graph_error(req, e.status, e.code, e.message, e.extra)
