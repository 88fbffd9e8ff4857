import Foundation
import PhotoModel

/// Every kind of Graph path photoprov requests, declared once as a template.
///
/// Requests are built only from these (`GraphPath`), so the list is complete by construction:
/// `GraphPathContractTests` hands every template to `scripts/graph-contract`, which resolves it against Graph's
/// published metadata (`../shared/graph/`), and scans the sources for paths built anywhere else. A `{name}` segment
/// is a key. Add a case here to call a new path; the contract test then checks it.
package enum GraphRoute: String, CaseIterable, Sendable {
    /// JSON batching: https://learn.microsoft.com/graph/json-batching (an OData endpoint, not in the CSDL).
    case batch = "/v1.0/$batch"
    /// https://learn.microsoft.com/graph/api/peopleadminsettings-list-photoupdatesettings (beta only).
    case photoUpdateSettings = "/beta/admin/people/photoUpdateSettings"
    /// https://learn.microsoft.com/graph/api/user-list (`$filter` look-ups by mail or employeeId).
    case users = "/v1.0/users"
    case user = "/v1.0/users/{user}"
    /// https://learn.microsoft.com/graph/api/profilephoto-get (metadata) and profilephoto-update (`$value`).
    case userPhoto = "/v1.0/users/{user}/photo"
    case userPhotoValue = "/v1.0/users/{user}/photo/$value"
    case group = "/v1.0/groups/{group}"
    case groupPhoto = "/v1.0/groups/{group}/photo"
    case groupPhotoValue = "/v1.0/groups/{group}/photo/$value"
    case team = "/v1.0/teams/{team}"
    case teamPhoto = "/v1.0/teams/{team}/photo"
    case teamPhotoValue = "/v1.0/teams/{team}/photo/$value"
    /// https://learn.microsoft.com/graph/api/user-list-contacts: the mailbox's default Contacts folder, with
    /// `$filter=emailAddresses/any(a:a/address eq '…')`, `$select` and `$top`.
    case contacts = "/v1.0/users/{user}/contacts"
    /// https://learn.microsoft.com/graph/api/contact-get.
    case contact = "/v1.0/users/{user}/contacts/{contact}"
    /// Contact photos: profilephoto-get and profilephoto-update list `/users/{id}/contacts/{id}/photo[/$value]`.
    case contactPhoto = "/v1.0/users/{user}/contacts/{contact}/photo"
    case contactPhotoValue = "/v1.0/users/{user}/contacts/{contact}/photo/$value"
    /// https://learn.microsoft.com/graph/api/user-list-contactfolders: the folders in the default Contacts folder.
    case contactFolders = "/v1.0/users/{user}/contactFolders"
    /// https://learn.microsoft.com/graph/api/contactfolder-get.
    case contactFolder = "/v1.0/users/{user}/contactFolders/{folder}"
    /// https://learn.microsoft.com/graph/api/contactfolder-list-childfolders.
    case childFolders = "/v1.0/users/{user}/contactFolders/{folder}/childFolders"
    /// https://learn.microsoft.com/graph/api/contactfolder-list-contacts (same query options as `contacts`).
    case folderContacts = "/v1.0/users/{user}/contactFolders/{folder}/contacts"
    case folderContact = "/v1.0/users/{user}/contactFolders/{folder}/contacts/{contact}"
    /// profilephoto-get and profilephoto-update also list `/users/{id}/contactFolders/{id}/contacts/{id}/photo`.
    case folderContactPhoto = "/v1.0/users/{user}/contactFolders/{folder}/contacts/{contact}/photo"
    case folderContactPhotoValue = "/v1.0/users/{user}/contactFolders/{folder}/contacts/{contact}/photo/$value"

    /// Every template as Graph may see it: each route, and each route under `users/{user}` also in the
    /// `users('{user}')` form that UPNs starting with `$` take.
    package static var templates: [String] {
        allCases.flatMap { route -> [String] in
            let quoted = route.rawValue.replacingOccurrences(of: "users/{user}", with: "users('{user}')")
            return quoted == route.rawValue ? [route.rawValue] : [route.rawValue, quoted]
        }
    }
}

/// One Graph path with its query, built from a `GraphRoute` with its keys percent-encoded: the only way photoprov
/// makes a Graph URL (requests, `$batch` sub-requests, policy, photos of every target, contacts).
package struct GraphPath: Sendable, Hashable, CustomStringConvertible {
    /// The route this path follows.
    package let route: GraphRoute
    /// From the version on, e.g. `/v1.0/users/ada@contoso.com/photo/$value` or `/v1.0/users?$filter=…`.
    package let value: String

    /// Fills `route`'s `{name}` segments from `keys` and appends `query` (items already encoded, e.g. `$top=10`).
    ///
    /// Keys are percent-encoded but for unreserved characters and `@`, so `#EXT#` guest names, `+`, `/`, `%`, `?`
    /// and `'` cannot change the request's meaning. A user key starting with `$` takes Graph's `users('…')` form,
    /// which Graph requires for such names.
    private init(_ route: GraphRoute, _ keys: [String: String] = [:], query: [String] = []) {
        var path = route.rawValue
        if let user = keys["user"], user.hasPrefix("$") {
            let quoted = user.replacingOccurrences(of: "'", with: "''")
            path = path.replacingOccurrences(
                of: "users/{user}", with: "users('\(Self.encode(quoted, keeping: "'"))')")
        }
        for (name, key) in keys {
            path = path.replacingOccurrences(of: "{\(name)}", with: Self.encode(key))
        }
        precondition(!path.contains("{"), "\(route) needs every key: \(path)")
        self.route = route
        self.value = query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }

    private init(route: GraphRoute, value: String) {
        self.route = route
        self.value = value
    }

    package var description: String { value }

    /// Below the version, as `$batch` sub-requests name their URL: `/users/…`. Batches carry v1.0 routes only.
    package var relative: String {
        precondition(value.hasPrefix("/v1.0/"), "$batch sub-requests are v1.0 paths, not \(value)")
        return String(value.dropFirst("/v1.0".count))
    }

    // MARK: - Service endpoints

    /// `POST /v1.0/$batch`.
    package static let batch = GraphPath(.batch)

    /// `GET|PATCH /beta/admin/people/photoUpdateSettings`.
    package static let photoUpdateSettings = GraphPath(.photoUpdateSettings)

    // MARK: - Photo targets

    /// The target itself: `/users/{id|upn}`, `/groups/{id}`, `/teams/{id}`, a contact under its mailbox (and
    /// folder), with `$select` when `select` is not empty.
    package static func object(_ target: PhotoTarget, select: [String] = []) -> GraphPath {
        path(
            of: target, .user, .group, .team, .contact, .folderContact, query: select.isEmpty ? [] : [selecting(select)]
        )
    }

    /// The target's photo metadata: `…/photo`.
    package static func photo(_ target: PhotoTarget) -> GraphPath {
        path(of: target, .userPhoto, .groupPhoto, .teamPhoto, .contactPhoto, .folderContactPhoto)
    }

    /// The target's photo bytes: `…/photo/$value` (GET, PUT, DELETE).
    package static func photoValue(_ target: PhotoTarget) -> GraphPath {
        path(
            of: target, .userPhotoValue, .groupPhotoValue, .teamPhotoValue, .contactPhotoValue, .folderContactPhotoValue
        )
    }

    /// `target`'s path on the route of its kind; a contact's in the default Contacts folder or, when the target
    /// names one, under its folder.
    private static func path(
        of target: PhotoTarget, _ user: GraphRoute, _ group: GraphRoute, _ team: GraphRoute, _ contact: GraphRoute,
        _ folderContact: GraphRoute, query: [String] = []
    ) -> GraphPath {
        switch target.kind {
        case .users: return GraphPath(user, ["user": target.key], query: query)
        case .groups: return GraphPath(group, ["group": target.key], query: query)
        case .teams: return GraphPath(team, ["team": target.key], query: query)
        case .contacts:
            guard let mailbox = target.mailbox, !mailbox.isEmpty else {
                preconditionFailure("\(target) has no mailbox")
            }
            if let folder = target.folderID {
                return GraphPath(
                    folderContact, ["user": mailbox, "folder": folder, "contact": target.key], query: query)
            }
            return GraphPath(contact, ["user": mailbox, "contact": target.key], query: query)
        }
    }

    // MARK: - Look-ups

    /// Users whose `property` equals `value` (`$filter=mail eq '…'`), with `$select`.
    package static func users(where property: String, equals value: String, select: [String]) -> GraphPath {
        GraphPath(.users, query: [filtering("\(property) eq \(literal(value))"), selecting(select)])
    }

    /// Every user of the tenant, `top` a page, with `$select` (`photoprov export --all-users`).
    package static func allUsers(select: [String], top: Int) -> GraphPath {
        GraphPath(.users, query: [selecting(select), "$top=\(top)"])
    }

    /// The contacts of `user`'s mailbox (the default Contacts folder, or the folder with id `folderID`) that have
    /// `address` among their `emailAddresses`, with `$select` and `$top`.
    package static func contacts(
        of user: String, folderID: String?, withAddress address: String, select: [String], top: Int
    ) -> GraphPath {
        // The lambda variable follows the reference's own example: emailAddresses/any(a:a/address eq '…').
        let query = [
            filtering("emailAddresses/any(a:a/address eq \(literal(address)))"), selecting(select), "$top=\(top)",
        ]
        if let folderID { return GraphPath(.folderContacts, ["user": user, "folder": folderID], query: query) }
        return GraphPath(.contacts, ["user": user], query: query)
    }

    /// One contact of `user`'s default Contacts folder, as a cheap probe that the mailbox exists and can be read.
    package static func anyContact(of user: String) -> GraphPath {
        GraphPath(.contacts, ["user": user], query: [selecting(["id"]), "$top=1"])
    }

    /// The contact folders of `user`'s mailbox: those in the default Contacts folder, or the child folders of the
    /// folder with id `parentID`.
    package static func contactFolders(of user: String, in parentID: String? = nil, top: Int) -> GraphPath {
        let query = [selecting(["id", "displayName", "parentFolderId"]), "$top=\(top)"]
        if let parentID { return GraphPath(.childFolders, ["user": user, "folder": parentID], query: query) }
        return GraphPath(.contactFolders, ["user": user], query: query)
    }

    /// The contact folder with id `id` in `user`'s mailbox.
    package static func contactFolder(of user: String, id: String) -> GraphPath {
        GraphPath(
            .contactFolder, ["user": user, "folder": id], query: [selecting(["id", "displayName", "parentFolderId"])])
    }

    /// The next page of a listing: Graph's `@odata.nextLink` for `first`, taken only when it is below `base` and
    /// follows the same route (only the query, e.g. `$skip`, may differ); `nil` otherwise.
    package static func nextPage(_ link: String, of first: GraphPath, base: URL) -> GraphPath? {
        let prefix = base.absoluteString
        guard link.hasPrefix(prefix) else { return nil }
        let rest = String(link.dropFirst(prefix.count))
        let path = rest.split(separator: "?", maxSplits: 1).first.map(String.init) ?? rest
        let firstPath = first.value.split(separator: "?", maxSplits: 1).first.map(String.init) ?? first.value
        guard path.lowercased() == firstPath.lowercased() else { return nil }
        return GraphPath(route: first.route, value: rest)
    }

    // MARK: - Encoding

    private static func selecting(_ properties: [String]) -> String { "$select=" + properties.joined(separator: ",") }

    private static func filtering(_ expression: String) -> String { "$filter=" + queryEncode(expression) }

    /// An OData string literal: quoted, inner quotes doubled.
    private static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Percent-encodes all but unreserved characters, `@` and `extra`.
    static func encode(_ text: String, keeping extra: String = "") -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")
        allowed.insert(charactersIn: extra)
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Percent-encodes a query value: everything but unreserved characters.
    static func queryEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
