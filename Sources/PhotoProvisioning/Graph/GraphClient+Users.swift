import Foundation
import PhotoModel

extension GraphClient {
    /// Every user of the tenant (`GET /users?$select=id,userPrincipalName`, 999 a page, following
    /// `@odata.nextLink`), for `photoprov export --all-users`; needs User.Read.All.
    ///
    /// - Throws: `GraphError` (`.blocked` without User.Read.All, `.network`, `.request`).
    public func listUsers() async throws(GraphError) -> [DirectoryUser] {
        var users: [DirectoryUser] = []
        let first = GraphPath.allUsers(select: ["id", "userPrincipalName"], top: 999)
        var path: GraphPath? = first
        while let next = path {
            let response = try await jsonRequest("GET", next, body: nil, need: "User.Read.All")
            guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
                let values = object["value"] as? [[String: Any]]
            else {
                throw GraphError(
                    .request, "the user list came back without a value array", requestID: response.header("request-id"))
            }
            for value in values {
                guard let id = value["id"] as? String, let upn = value["userPrincipalName"] as? String else { continue }
                users.append(DirectoryUser(id: id, userPrincipalName: upn))
            }
            path = (object["@odata.nextLink"] as? String).flatMap {
                GraphPath.nextPage($0, of: first, base: settings.graphURL)
            }
        }
        return users
    }
}
