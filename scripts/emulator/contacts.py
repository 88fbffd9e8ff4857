"""A mailbox's Outlook contacts and contact folders, and the contacts' photos.

References: https://learn.microsoft.com/graph/api/user-list-contacts (Contacts.Read, $filter on emailAddresses with
any(), $select, $top, paging), contact-get, user-list-contactfolders (the folders in the default Contacts folder),
contactfolder-get, contactfolder-list-childfolders, contactfolder-list-contacts, profilephoto-get/-update (contact
photos: Contacts.Read / Contacts.ReadWrite), https://learn.microsoft.com/graph/api/resources/profilephoto (deleting a
contact's photo is not supported).
"""

import re

from .common import GRAPH_AUD, GraphError, json_response, method_not_allowed, query_params
from .photos import no_mailbox

P_READ = {"Contacts.Read", "Contacts.ReadWrite"}
P_WRITE = {"Contacts.ReadWrite"}
DEFAULT_PAGE = 10  # Outlook's page size for contacts and folders when $top is absent
CONTACT_PROPS = ["id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "parentFolderId",
                 "displayName", "givenName", "surname", "companyName", "emailAddresses", "businessPhones",
                 "homePhones", "mobilePhone", "jobTitle"]
# beta's contact has one `phones` collection instead (beta-entity-types.json; contact in the beta reference).
BETA_CONTACT_PROPS = [p for p in CONTACT_PROPS if p not in ("businessPhones", "homePhones", "mobilePhone")] + \
    ["phones"]


def contact_props(version):
    return BETA_CONTACT_PROPS if version == "beta" else CONTACT_PROPS
ANY_ADDRESS = re.compile(r"emailAddresses/any\(\s*(\w+)\s*:\s*\1/address\s+eq\s+'((?:[^']|'')*)'\s*\)", re.I)
DISPLAY_NAME = re.compile(r"displayName\s+eq\s+'((?:[^']|'')*)'", re.I)


def access_denied():
    return GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


def item_not_found():
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


class Contacts:
    def __init__(self, emu, photos):
        self.emu = emu
        self.photos = photos

    # -- common checks -----------------------------------------------------------------------------------------------

    def mailbox(self, ctx, write=False):
        """The mailbox's owner, after the checks Graph makes: the Contacts permission (a delegated caller reaches only
        their own mailbox), a known user, a mailbox."""
        if not (ctx.permissions() & (P_WRITE if write else P_READ)):
            raise access_denied()
        key = ctx.claims["oid"] if ctx.me else ctx.key("user")
        user = ctx.tenant.users_by_id.get(key) if ctx.me else ctx.tenant.find_user(key)
        if user is None:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid.")
        if ctx.delegated and user.id != ctx.claims.get("oid"):
            raise access_denied()
        if not user.has_mailbox:
            raise no_mailbox()
        return user

    @staticmethod
    def folder(ctx, user):
        """The folder named by {folder}, or None on the routes without one."""
        if "folder" not in ctx.params:
            return None
        folder = user.all_folders().get(ctx.key("folder"))
        if folder is None:
            raise item_not_found()
        return folder

    def contact(self, ctx, user):
        folder = self.folder(ctx, user)
        contact = user.contacts.get(ctx.key("contact"))
        if contact is None or (folder is not None and contact.folder_id != folder.id):
            raise item_not_found()
        return contact

    # -- listing -------------------------------------------------------------------------------------------------------

    def page(self, ctx, items, context):
        """$top (default 10) and $skip over `items` (dicts), with @odata.nextLink while more remain."""
        qs = query_params(ctx.req)
        try:
            top = max(1, min(1000, int((qs.get("$top") or [str(DEFAULT_PAGE)])[0])))
            skip = max(0, int((qs.get("$skip") or ["0"])[0]))
        except ValueError:
            raise GraphError(400, "ErrorInvalidUrlQuery", "The value of $top or $skip is not a number.")
        out = {"@odata.context": context, "value": items[skip:skip + top]}
        if skip + top < len(items):
            out["@odata.nextLink"] = self.emu.graph.next_link(ctx, "$skip", skip + top)
        return json_response(200, out)

    @staticmethod
    def selected(ctx):
        values = query_params(ctx.req).get("$select")
        if not values:
            return None
        props = [p.strip() for p in values[0].split(",") if p.strip()]
        for p in props:
            if p not in contact_props(ctx.version):
                raise GraphError(400, "RequestBroker--ParseUri",
                                 f"Could not find a property named '{p}' on type 'Microsoft.OutlookServices.Contact'.")
        return props

    @staticmethod
    def matches(flt):
        """A predicate for the $filter forms a bulk tool sends: `emailAddresses/any(a:a/address eq '...')` (case does
        not matter), `displayName eq '...'`, several joined by `or`."""
        clauses = [c for c in re.split(r"\s+or\s+", flt.strip(), flags=re.I) if c]
        addresses, names = set(), set()
        for clause in clauses:
            clause = clause.strip()
            while clause.startswith("(") and clause.endswith(")") and not ANY_ADDRESS.fullmatch(clause):
                clause = clause[1:-1].strip()
            m = ANY_ADDRESS.fullmatch(clause)
            if m:
                addresses.add(m.group(2).replace("''", "'").lower())
                continue
            m = DISPLAY_NAME.fullmatch(clause)
            if m:
                names.add(m.group(1).replace("''", "'").lower())
                continue
            raise GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid "
                                                                "nodes.")
        return lambda c: c.display_name.lower() in names or any(e["address"].lower() in addresses for e in c.emails)

    @staticmethod
    def represent(ctx, contact, props):
        res = contact.resource()
        out = {"@odata.etag": f'W/"{contact.id[-12:]}"'}
        out.update((p, res[p]) for p in (props or contact_props(ctx.version)))
        if "id" not in out:
            out["id"] = contact.id
        return out

    def list_contacts(self, ctx):
        user = self.mailbox(ctx)
        folder = self.folder(ctx, user) or user.default_folder
        contacts = [c for c in user.contacts.values() if c.folder_id == folder.id]
        flt = (query_params(ctx.req).get("$filter") or [None])[0]
        if flt:
            keep = self.matches(flt)
            contacts = [c for c in contacts if keep(c)]
        props = self.selected(ctx)
        where = f"contactFolders('{folder.id}')/contacts" if "folder" in ctx.params else "contacts"
        context = f"{GRAPH_AUD}/{ctx.version}/$metadata#users('{user.id}')/{where}" + \
            (f"({','.join(props)})" if props else "")
        return self.page(ctx, [self.represent(ctx, c, props) for c in contacts], context)

    def get_contact(self, ctx):
        user = self.mailbox(ctx)
        contact = self.contact(ctx, user)
        props = self.selected(ctx)
        out = {"@odata.context": f"{GRAPH_AUD}/{ctx.version}/$metadata#users('{user.id}')/contacts/$entity"}
        out.update(self.represent(ctx, contact, props))
        return json_response(200, out)

    def list_folders(self, ctx):
        """/contactFolders (the folders in the default Contacts folder) or /contactFolders/{id}/childFolders."""
        user = self.mailbox(ctx)
        parent = self.folder(ctx, user) or user.default_folder
        folders = [f.resource() for f in user.folders.values() if f.parent_id == parent.id]
        where = f"contactFolders('{parent.id}')/childFolders" if "folder" in ctx.params else "contactFolders"
        return self.page(ctx, folders, f"{GRAPH_AUD}/{ctx.version}/$metadata#users('{user.id}')/{where}")

    def get_folder(self, ctx):
        user = self.mailbox(ctx)
        folder = self.folder(ctx, user)
        out = {"@odata.context": f"{GRAPH_AUD}/{ctx.version}/$metadata#users('{user.id}')/contactFolders/$entity"}
        out.update(folder.resource())
        return json_response(200, out)

    # -- photos -------------------------------------------------------------------------------------------------------

    def contact_photo(self, ctx):
        if ctx.method == "DELETE":
            raise method_not_allowed()
        write = ctx.method in ("PUT", "PATCH")
        if write and not ctx.value:
            raise method_not_allowed()
        user = self.mailbox(ctx, write=write)
        contact = self.contact(ctx, user)
        key = ("contacts", ctx.tenant.id, user.id, contact.id)
        if write:
            return self.photos.write(ctx, key, 200)
        return self.photos.read(ctx, key, "contacts", contact.id,
                                context=f"users('{user.id}')/contacts('{contact.id}')/photo")

    def state(self, tenant):
        """{upn: {contact id: {displayName, emailAddresses, folder, folderId, and the photo fields}}}."""
        out = {}
        for user in tenant.users_by_id.values():
            if not user.contacts:
                continue
            folders = user.all_folders()
            entries = {}
            for c in user.contacts.values():
                s = self.photos.state(("contacts", tenant.id, user.id, c.id))
                s.update(displayName=c.display_name, emailAddresses=list(c.emails),
                         folder=folders[c.folder_id].display_name, folderId=c.folder_id)
                entries[c.id] = s
            out[user.upn] = entries
        return out
