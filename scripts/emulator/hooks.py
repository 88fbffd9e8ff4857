"""The test hooks under /_emulator/ (no authentication, never delayed, throttled or faulted)."""

import json
import re
from urllib.parse import parse_qs, unquote

from .common import plain_json
from .images import DECODE_ERRORS
from .seed import Photo


def handle(emu, req):
    path, method = req.path, req.method
    if path == "/_emulator/state" and method == "GET":
        return plain_json(200, emu.state())
    if path == "/_emulator/wait" and method == "GET":
        try:
            reached, counts = wait_for(emu, parse_qs(req.query))
        except DECODE_ERRORS as e:
            return plain_json(400, {"error": str(e)})
        return plain_json(200 if reached else 408, counts)
    if path == "/_emulator/reset" and method == "POST":
        emu.reset_state()
        return plain_json(200, {"reset": True})
    if path == "/_emulator/devicecode/approve" and method == "POST":
        try:
            body = json.loads(req.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return plain_json(400, {"error": "the body must be a JSON object with user_code and user"})
        status, answer = emu.entra.approve(body.get("user_code", ""), body.get("user", ""), body.get("deny"))
        return plain_json(status, answer)
    m = re.fullmatch(r"/_emulator/(users|groups|teams)/([^/]+)/photo", path)
    if m and method == "PUT":
        return set_photo(emu, m.group(1), unquote(m.group(2)), req.body)
    return plain_json(404, {"error": "unknown emulator hook"})


def wait_for(emu, query):
    """Blocks until the counter named by the query reaches its value: `arrived=N` Graph requests received
    (`method=PUT` to count one method), or `answered=N` answers with `status=S`; `timeout` seconds (default 60).
    Lets a test act on an event (the N-th upload in flight) instead of guessing with a sleep."""
    def number(name, default=None):
        values = query.get(name)
        if not values:
            if default is None:
                raise ValueError(f"missing {name}")
            return default
        return float(values[0])
    timeout = number("timeout", 60.0)
    if "arrived" in query:
        want, method = int(number("arrived")), query.get("method", ["*"])[0].upper()
        current = lambda: emu.arrived.get(method, 0)
        name = "arrived"
    else:
        want, status = int(number("answered")), str(int(number("status")))
        current = lambda: emu.requests.get(status, 0)
        name = "answered"
    with emu.lock:
        reached = emu.changed.wait_for(lambda: current() >= want, timeout=timeout)
        return reached, {name: current(), "want": want}


def set_photo(emu, kind, key, body):
    """PUT /_emulator/{users|groups|teams}/{id|upn}/photo: the photo changes as if its owner set it (in Teams,
    Outlook): stored as Graph would hold it, with a new ETag; `uploads` is not counted."""
    for t in emu.tenants:
        if kind == "users":
            user = t.find_user(key)
            oid = user.id if user else None
        else:
            oid = key.lower() if key.lower() in (t.groups if kind == "groups" else t.teams) else None
        if oid is None:
            continue
        try:
            photo = Photo(body)
        except DECODE_ERRORS as e:
            return plain_json(400, {"error": f"the body is not a photo: {e}"})
        entry = emu.photos.put((kind, t.id, oid), photo, counted=False)
        return plain_json(200, {"etag": entry["etag"], "sha256": entry["sha256"]})
    return plain_json(404, {"error": f"no {kind[:-1]} {key}"})
