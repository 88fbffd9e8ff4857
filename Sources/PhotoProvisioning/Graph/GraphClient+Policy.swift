import Foundation

extension GraphClient {
    /// Reads the tenant's photo policy and judges whether this identity may write photos.
    ///
    /// Never throws: a sign-in failure or unreadable settings give verdict `.unknown` with the reason.
    public func preflight() async -> PolicyReport {
        let identity: SignedInIdentity
        do {
            identity = try await signIn()
        } catch {
            var report = PolicyReport.evaluate(
                settings: nil, settingsError: error.message,
                identity: SignedInIdentity(claims: nil, credential: settings.credential))
            report.verdict = .unknown
            report.explanation = [error.description]
            return report
        }
        do {
            let current = try await readPhotoPolicy()
            return PolicyReport.evaluate(settings: current, settingsError: nil, identity: identity)
        } catch {
            return PolicyReport.evaluate(settings: nil, settingsError: error.description, identity: identity)
        }
    }

    /// GET /beta/admin/people/photoUpdateSettings.
    ///
    /// - Throws: `GraphError` (`.blocked` when PeopleSettings.Read.All is missing).
    public func readPhotoPolicy() async throws(GraphError) -> PhotoUpdateSettings {
        let response = try await jsonRequest(
            "GET", .photoUpdateSettings, body: nil, need: "PeopleSettings.Read.All")
        return try Self.decodeSettings(response)
    }

    /// PATCHes the photo policy and returns it before and after.
    ///
    /// - Parameters:
    ///   - source: `cloud` or `onPremises`.
    ///   - allowedRoles: role template ids, `[]` for no restriction, or `nil` to leave them as they are.
    /// - Throws: `GraphError` (`.blocked` when PeopleSettings.ReadWrite.All or an admin role is missing).
    public func updatePhotoPolicy(
        source: String, allowedRoles: [String]?
    ) async throws(GraphError) -> (before: PhotoUpdateSettings, after: PhotoUpdateSettings) {
        let before = try await readPhotoPolicy()
        var patch: [String: Any] = ["source": source]
        if let allowedRoles { patch["allowedRoles"] = allowedRoles }
        let body = try? JSONSerialization.data(withJSONObject: patch, options: [.sortedKeys])
        let response = try await jsonRequest(
            "PATCH", .photoUpdateSettings, body: body,
            need:
                "PeopleSettings.ReadWrite.All (and, signed in as a user, the People Administrator or Global Administrator role)"
        )
        let after = response.body.isEmpty ? try await readPhotoPolicy() : try Self.decodeSettings(response)
        return (before, after)
    }

    static func decodeSettings(_ response: HTTPResponse) throws(GraphError) -> PhotoUpdateSettings {
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] else {
            throw GraphError(
                .request, "photoUpdateSettings answer is not JSON", httpStatus: response.status,
                requestID: response.header("request-id"))
        }
        return PhotoUpdateSettings(
            source: object["source"] as? String ?? "cloud", allowedRoles: object["allowedRoles"] as? [String] ?? [])
    }

    /// Sends a JSON request with retries and returns a 2xx answer.
    ///
    /// - Parameter need: the permission to name when Graph answers 403.
    /// - Throws: `GraphError`: `.signIn`, `.blocked` for 403, `.network` when nothing answered, `.request` otherwise.
    func jsonRequest(
        _ method: String, _ path: GraphPath, body: Data?, need: String
    ) async throws(GraphError) -> HTTPResponse {
        var request = GraphRequest(
            method: method, path: path, body: body, contentType: body == nil ? nil : "application/json")
        request.headers["Accept"] = "application/json"
        let result = await perform(request)
        if let error = result.signInError { throw error }
        let what = "\(method) \(path)"
        guard let response = result.response else {
            if result.stop == .cancelled { throw GraphError(.network, "\(what): cancelled") }
            throw GraphError(
                .network, "\(what): \(result.networkError ?? "no response") after \(result.attempts) attempts")
        }
        if (200..<300).contains(response.status) { return response }
        let error = GraphErrorBody(response.body)
        let requestID = response.header("request-id")
        switch response.status {
        case 403:
            throw GraphError(
                .blocked, "\(what) was refused: missing permission; grant \(need)",
                httpStatus: 403, code: error?.code, requestID: requestID)
        case 401:
            throw GraphError(
                .signIn, "\(what): graph rejected the access token even after renewing it",
                httpStatus: 401, code: error?.code, requestID: requestID)
        default:
            let detail = error?.message.map { ": \($0)" } ?? ""
            throw GraphError(
                .request, "\(what) failed\(detail)", httpStatus: response.status, code: error?.code,
                requestID: requestID)
        }
    }
}
