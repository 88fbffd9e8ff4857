import Foundation
import PhotoModel

extension GraphClient {
    /// Every user of the tenant (`GET /users?$select=id,userPrincipalName`, 999 a page, following
    /// `@odata.nextLink`), for `photoprov export --all-users`; needs User.Read.All.
    ///
    /// - Throws: `GraphError` (`.blocked` without User.Read.All, `.network`, `.request`).
    public func listUsers() async throws(GraphError) -> [DirectoryUser] {
        var users: [DirectoryUser] = []
        var path: String? = "/v1.0/users?$select=id,userPrincipalName&$top=999"
        while let next = path {
            let response = try await jsonRequest("GET", next, body: nil, need: "User.Read.All")
            guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
                let values = object["value"] as? [[String: Any]]
            else {
                throw GraphError(.request, "GET /users answered no list", requestID: response.header("request-id"))
            }
            for value in values {
                guard let id = value["id"] as? String, let upn = value["userPrincipalName"] as? String else { continue }
                users.append(DirectoryUser(id: id, userPrincipalName: upn))
            }
            path = (object["@odata.nextLink"] as? String).flatMap(relativePath)
        }
        return users
    }

    /// A next link below this client's Graph URL as the path requests take (`/v1.0/users?$skiptoken=…`).
    private func relativePath(_ link: String) -> String? {
        let base = settings.graphURL.absoluteString.hasSuffix("/")
            ? String(settings.graphURL.absoluteString.dropLast()) : settings.graphURL.absoluteString
        if link.hasPrefix(base) { return String(link.dropFirst(base.count)) }
        guard let url = URLComponents(string: link), !url.path.isEmpty else { return nil }
        return url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
    }
}
