import Foundation

/// Turns Entra ID's error answers into one clear sign-in message: the AADSTS code, Entra's own first sentence,
/// and what to fix.
package enum SignInFailure {
    /// A `GraphError.signIn` for an error response from a token, device-code or managed-identity endpoint.
    package static func error(
        from response: HTTPResponse, credential: GraphSettings.Credential, endpoint: String
    ) -> GraphError {
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        let error = object["error"] as? String
        let description = object["error_description"] as? String ?? (object["message"] as? String) ?? ""
        var code: String?
        if let range = description.range(of: #"AADSTS\d+"#, options: .regularExpression) {
            code = String(description[range])
        } else if let codes = object["error_codes"] as? [Int], let first = codes.first {
            code = "AADSTS\(first)"
        }
        // Entra appends trace and correlation ids and a timestamp on later lines; the first line says it all.
        var firstLine = description.components(separatedBy: CharacterSet.newlines).first ?? ""
        if let trace = firstLine.range(of: " Trace ID:") { firstLine = String(firstLine[..<trace.lowerBound]) }
        let summary = firstLine.replacingOccurrences(of: (code ?? "") + ": ", with: "")
        var message = "sign-in failed"
        if let code {
            message += ": \(code)"
        } else if let error {
            message += ": \(error)"
        } else {
            message += ": \(endpoint) answered HTTP \(response.status)"
        }
        if !summary.isEmpty { message += " \(summary.trimmingCharacters(in: .whitespaces))" }
        if let fix = fix(code: code, error: error, credential: credential) {
            message += " — fix: \(fix)"
        }
        return GraphError(
            .signIn, message, httpStatus: response.status, code: code ?? error,
            requestID: response.header("x-ms-request-id") ?? response.header("request-id"))
    }

    /// What to change for a known AADSTS code or OAuth error.
    package static func fix(code: String?, error: String?, credential: GraphSettings.Credential) -> String? {
        switch code {
        case "AADSTS7000215":
            return "AZURE_CLIENT_SECRET (or --client-secret-file) must hold the client secret's value, not its secret "
                + "id, from this app registration, and it must not have expired"
        case "AADSTS7000222": return "the client secret has expired; create a new one under Certificates & secrets"
        case "AADSTS700016":
            return "check AZURE_CLIENT_ID and AZURE_TENANT_ID: the application must be registered in (or consented to) "
                + "this tenant, and --cloud must match the tenant's cloud"
        case "AADSTS90002", "AADSTS900023":
            return "check AZURE_TENANT_ID: use the directory (tenant) id or a verified domain, and the right --cloud"
        case "AADSTS700027", "AADSTS700023":
            return "upload this certificate's public part to the app registration (Certificates & secrets) and check "
                + "AZURE_CLIENT_CERTIFICATE_PATH points at the matching certificate and key"
        case "AADSTS700024": return "the client assertion is outside its validity window; check this machine's clock"
        case "AADSTS70021", "AADSTS700213", "AADSTS700211":
            return "add a federated credential to the app whose issuer, subject and audience match the token in "
                + "AZURE_FEDERATED_TOKEN_FILE"
        case "AADSTS7000112", "AADSTS7000113": return "the application is disabled; enable it in Entra ID"
        case "AADSTS65001": return "an administrator must grant consent for the requested permissions"
        case "AADSTS70011": return "the requested scope is invalid for this cloud; check --cloud and --graph-url"
        case "AADSTS50059": return "set AZURE_TENANT_ID (or --tenant) to the directory (tenant) id"
        case "AADSTS700082", "AADSTS70008", "AADSTS70043":
            return "the sign-in has expired; run the command again to sign in"
        case "AADSTS50034", "AADSTS50126": return "check the account you signed in with belongs to this tenant"
        case "AADSTS50076", "AADSTS50079": return "multi-factor authentication is required; complete it in the browser"
        case "AADSTS53003": return "a conditional access policy blocked the sign-in; ask an administrator"
        default: break
        }
        switch error {
        case "invalid_client":
            if case .clientSecret = credential { return fix(code: "AADSTS7000215", error: nil, credential: credential) }
            return "check the client id and its credential"
        case "unauthorized_client": return "check AZURE_CLIENT_ID and that the app allows this sign-in flow"
        case "authorization_declined", "access_denied": return "the sign-in was declined; run again and approve it"
        case "expired_token", "code_expired":
            return "the code expired before sign-in finished; run again and complete it in time"
        case "invalid_scope": return "check --cloud and --graph-url match the tenant's cloud"
        default: return nil
        }
    }
}
