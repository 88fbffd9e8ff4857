import Foundation
import PhotoModel

/// The tenant's photo update policy: GET /beta/admin/people/photoUpdateSettings.
public struct PhotoUpdateSettings: Sendable, Hashable, Codable {
    /// `cloud` (photos may be changed in Microsoft 365) or `onPremises` (only in on-premises directories).
    public var source: String
    /// Role template ids whose holders may change photos; empty means no role restriction.
    public var allowedRoles: [String]

    /// Creates settings.
    public init(source: String, allowedRoles: [String]) {
        self.source = source
        self.allowedRoles = allowedRoles
    }

    /// The allowed roles by display name (unknown ids stay ids).
    public var allowedRoleNames: [String] { allowedRoles.map(DirectoryRole.name(of:)) }

    private enum CodingKeys: String, CodingKey { case source, allowedRoles, allowedRoleNames }

    /// Decodes `source` and `allowedRoles`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        source = try container.decode(String.self, forKey: .source)
        allowedRoles = try container.decodeIfPresent([String].self, forKey: .allowedRoles) ?? []
    }

    /// Encodes `source`, `allowedRoles` and, for people reading JSON, `allowedRoleNames`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(allowedRoles, forKey: .allowedRoles)
        try container.encode(allowedRoleNames, forKey: .allowedRoleNames)
    }

    /// One line for people: "source cloud, allowed roles: People Administrator".
    public var summary: String {
        "source \(source), allowed roles: "
            + (allowedRoles.isEmpty ? "any (no restriction)" : allowedRoleNames.joined(separator: ", "))
    }
}

/// Entra ID built-in directory roles by template id, for messages and `--allowed-roles`.
public enum DirectoryRole {
    /// Global Administrator.
    public static let globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"
    /// User Administrator.
    public static let userAdministrator = "fe930be7-5e62-47db-91af-98c3a49a38b1"
    /// People Administrator.
    public static let peopleAdministrator = "024906de-61e5-49c8-8572-40335f1e0e10"

    /// Display names of well-known role templates.
    public static let names: [String: String] = [
        globalAdministrator: "Global Administrator",
        userAdministrator: "User Administrator",
        peopleAdministrator: "People Administrator",
        "b79fbf4d-3ef9-4689-8143-76b194e85509": "User",
        "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
        "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
        "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
        "69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
    ]

    /// The short names `--allowed-roles` accepts.
    public static let aliases: [String: String] = [
        "global-admin": globalAdministrator, "user-admin": userAdministrator, "people-admin": peopleAdministrator,
    ]

    /// Roles that may update other users' photos with delegated access.
    public static let photoAdministrators: Set<String> = [globalAdministrator, userAdministrator, peopleAdministrator]

    /// The display name of `id`, or `id` itself when unknown.
    public static func name(of id: String) -> String { names[id.lowercased()] ?? id }

    /// Parses `--allowed-roles`: `none`, or comma-separated aliases and role template GUIDs.
    ///
    /// - Returns: role template ids, or `nil` with the offending entry when one is neither.
    public static func parse(_ text: String) -> Result<[String], ParseFailure> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "none" || trimmed.isEmpty { return .success([]) }
        var ids: [String] = []
        for part in trimmed.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            if let id = aliases[part] {
                ids.append(id)
            } else if UUID(uuidString: part) != nil {
                ids.append(part)
            } else {
                return .failure(ParseFailure(entry: part))
            }
        }
        var seen = Set<String>()
        return .success(ids.filter { seen.insert($0).inserted })
    }

    /// An `--allowed-roles` entry that is neither an alias nor a GUID.
    public struct ParseFailure: Error, Sendable {
        /// The entry as given.
        public var entry: String
    }
}

/// Whether this identity may write photos under the tenant's policy, with the reasons.
public struct PolicyReport: Sendable, Codable {
    /// One permission check on the token.
    public struct PermissionFinding: Sendable, Codable, Hashable {
        /// What was checked, e.g. "write photos".
        public var need: String
        /// Whether the token grants it; `nil` when the token cannot be read.
        public var granted: Bool?
        /// The permission found, or what to grant.
        public var detail: String
    }

    /// The verdict.
    public var verdict: Verdict
    /// The settings, when readable.
    public var settings: PhotoUpdateSettings?
    /// Why the settings could not be read.
    public var settingsError: String?
    /// Who signed in.
    public var identity: SignedInIdentity
    /// Lines explaining the verdict, most important first.
    public var explanation: [String]
    /// The token's permission checks.
    public var permissions: [PermissionFinding]
    /// `--target contacts`: the mailbox and folder the run works in, as the preflight found them; `nil` otherwise.
    public var contacts: ContactFolderCheck?

    /// Creates a report; `evaluate` is how the preflight makes one.
    public init(
        verdict: Verdict, settings: PhotoUpdateSettings?, settingsError: String?, identity: SignedInIdentity,
        explanation: [String], permissions: [PermissionFinding]
    ) {
        self.verdict = verdict
        self.settings = settings
        self.settingsError = settingsError
        self.identity = identity
        self.explanation = explanation
        self.permissions = permissions
    }

    /// Judges `settings` (or the reason they are unreadable) against the token's claims.
    public static func evaluate(
        settings: PhotoUpdateSettings?, settingsError: String?, identity: SignedInIdentity
    ) -> PolicyReport {
        var blocked: [String] = []
        var notes: [String] = []
        let claims = identity.claims
        let delegated = claims?.isDelegated ?? false
        if let settings {
            if settings.source.lowercased() == "onpremises" {
                blocked.append(
                    "photo source is onPremises: Microsoft 365 refuses photo changes for everyone; change photos in the "
                        + "on-premises directory, or switch with 'photoprov policy set --source cloud'")
            } else if !settings.allowedRoles.isEmpty {
                let allowed = settings.allowedRoleNames.joined(separator: ", ")
                if delegated {
                    let held = Set((claims?.wids ?? []).map { $0.lowercased() })
                    if held.isDisjoint(with: settings.allowedRoles.map { $0.lowercased() }) {
                        let heldNames = (claims?.wids ?? []).map(DirectoryRole.name(of:)).filter { $0 != "User" }
                        blocked.append(
                            "only holders of \(allowed) may change photos, and \(claims?.userPrincipalName ?? "this user") "
                                + "holds \(heldNames.isEmpty ? "none of them" : heldNames.joined(separator: ", ")) "
                                + "(no seniority: Global Administrator is not implied)")
                    } else {
                        notes.append("allowed roles are \(allowed); the signed-in user holds one of them")
                    }
                } else {
                    notes.append(
                        "allowed roles are \(allowed); they restrict signed-in users, not an application's own permissions"
                    )
                }
            } else {
                notes.append("photo source is cloud with no role restriction")
            }
        }

        var findings: [PermissionFinding] = []
        if let claims {
            let granted = Set(delegated ? claims.scopes : claims.roles)
            let kind = delegated ? "delegated" : "application"
            if let write = ["ProfilePhoto.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"].first(
                where: granted.contains)
            {
                findings.append(PermissionFinding(need: "write photos", granted: true, detail: write))
                if delegated,
                    Set(claims.wids.map { $0.lowercased() }).isDisjoint(with: DirectoryRole.photoAdministrators)
                {
                    blocked.append(
                        "\(claims.userPrincipalName ?? "the signed-in user") holds no role that may change other users' "
                            + "photos; sign in as a User Administrator, People Administrator or Global Administrator")
                }
            } else if delegated, granted.contains("User.ReadWrite") {
                findings.append(
                    PermissionFinding(
                        need: "write photos", granted: false,
                        detail:
                            "User.ReadWrite allows only the signed-in user's own photo; consent to ProfilePhoto.ReadWrite.All"
                    ))
                blocked.append(
                    "the token may change only its own user's photo (User.ReadWrite); grant ProfilePhoto.ReadWrite.All")
            } else {
                findings.append(
                    PermissionFinding(
                        need: "write photos", granted: false,
                        detail:
                            "grant the \(kind) permission ProfilePhoto.ReadWrite.All (least privilege) or User.ReadWrite.All, with admin consent"
                    ))
                blocked.append(
                    "the token lacks a permission to write photos; grant the \(kind) permission ProfilePhoto.ReadWrite.All (or User.ReadWrite.All) and admin consent"
                )
            }
            if let read = [
                "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
                "User.ReadBasic.All",
            ].first(where: granted.contains) {
                findings.append(PermissionFinding(need: "look up users", granted: true, detail: read))
            } else {
                findings.append(
                    PermissionFinding(
                        need: "look up users", granted: false,
                        detail: "matching by mail or employeeId and dry runs need User.Read.All"))
            }
            if let read = ["PeopleSettings.Read.All", "PeopleSettings.ReadWrite.All"].first(where: granted.contains) {
                findings.append(PermissionFinding(need: "read photo policy", granted: true, detail: read))
            } else {
                findings.append(
                    PermissionFinding(
                        need: "read photo policy", granted: false, detail: "grant PeopleSettings.Read.All"))
            }
        } else {
            findings.append(
                PermissionFinding(
                    need: "write photos", granted: nil, detail: "the token is not a readable JWT; permissions unknown"))
        }

        let verdict: Verdict
        var explanation: [String]
        if !blocked.isEmpty {
            verdict = .blocked
            explanation = blocked + notes
        } else if settings == nil {
            verdict = .unknown
            explanation = ["cannot read the photo update settings: \(settingsError ?? "no answer")"] + notes
        } else {
            verdict = .allowed
            explanation = notes
        }
        return PolicyReport(
            verdict: verdict, settings: settings, settingsError: settingsError, identity: identity,
            explanation: explanation, permissions: findings)
    }
}
