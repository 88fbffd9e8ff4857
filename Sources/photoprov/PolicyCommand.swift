import Foundation
import PhotoProvisioning

extension Command {
    static let policy = Command(
        name: "policy",
        summary: "Show the tenant's photo update policy and whether this identity may upload; 'policy set' changes it.",
        usage: """
            policy [--json] [--target contacts --mailbox UPN [--contact-folder NAME|ID]] [sign-in options]
                   photoprov policy set --source cloud|onPremises [--allowed-roles ROLES|none] [sign-in options]
            """,
        options: [
            .flag("json", "print the report as JSON on stdout"),
            .value("target", "KIND", "users (default: the photo policy) or contacts (with --mailbox)"),
        ] + contactsOptions + [
            .value("source", "cloud|onPremises", "policy set: where photos may be changed"),
            .value("allowed-roles", "ROLES", "policy set: global-admin,user-admin,people-admin or role GUIDs, or none"),
        ] + graphOptions
    ) { arguments in
        switch arguments.positionals.first {
        case nil: return try await showPolicy(arguments)
        case "set":
            guard arguments.positionals.count == 1 else {
                throw UsageError("policy set takes no other arguments, not '\(arguments.positionals[1])'")
            }
            return try await setPolicy(arguments)
        case let other?:
            throw UsageError("unknown policy action '\(other)'; use 'photoprov policy' or 'photoprov policy set'")
        }
    }

    private static func showPolicy(_ arguments: Arguments) async throws -> ExitCode {
        if arguments.value("source") != nil || arguments.value("allowed-roles") != nil {
            throw UsageError("--source and --allowed-roles belong to 'photoprov policy set'")
        }
        let target = try arguments.choice("target", ["users", "contacts"], default: "users")
        let mailbox = try contactsMailbox(from: arguments, target: target == "contacts" ? .contacts : .users)
        var settings = try graphSettings(from: arguments)
        if mailbox != nil { settings.delegatedScopes = [PolicyReport.contactsWritePermission] }
        let client = try GraphClient(settings: settings)
        try await client.signIn()
        let report = if let mailbox { await client.preflightContacts(in: mailbox) } else { await client.preflight() }
        if arguments.has("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(describe(report))
        }
        switch report.verdict {
        case .allowed: return .success
        case .blocked: return .blocked
        case .unknown, .notChecked: return .someFailed
        }
    }

    /// The report for people: identity, settings, permissions, verdict with reasons.
    static func describe(_ report: PolicyReport) -> String {
        var lines = ["signed in as \(report.identity)"]
        if let contacts = report.contacts {
            let found = contacts.found.map { $0 ? "" : " (not found)" } ?? " (not checked)"
            lines.append("contacts: \(contacts.mailbox)" + found)
        } else if let settings = report.settings {
            lines.append("photo update settings: \(settings.summary)")
        } else {
            lines.append("photo update settings: unreadable (\(report.settingsError ?? "no answer"))")
        }
        lines.append("permissions:")
        for finding in report.permissions {
            let mark = finding.granted.map { $0 ? "ok" : "missing" } ?? "unknown"
            lines.append("  \(finding.need): \(mark) (\(finding.detail))")
        }
        lines.append("verdict: \(report.verdict.rawValue)")
        lines += report.explanation.map { "  - \($0)" }
        return lines.joined(separator: "\n")
    }

    private static func setPolicy(_ arguments: Arguments) async throws -> ExitCode {
        guard arguments.value("source") != nil else {
            throw UsageError("policy set needs --source cloud or --source onPremises")
        }
        let source = try arguments.choice("source", ["cloud", "onPremises"], default: "cloud")
        var roles: [String]?
        if let text = arguments.value("allowed-roles") {
            switch DirectoryRole.parse(text) {
            case .success(let ids): roles = ids
            case .failure(let failure):
                throw UsageError(
                    "--allowed-roles entry '\(failure.entry)' is neither global-admin, user-admin, people-admin, none "
                        + "nor a role template GUID")
            }
        }
        if source == "onPremises", let roles, !roles.isEmpty {
            throw UsageError(
                "--allowed-roles cannot be combined with --source onPremises: on-premises photos cannot be changed in "
                    + "Microsoft 365 by anyone, whatever their role")
        }
        var settings = try graphSettings(from: arguments)
        settings.delegatedScopes = ["PeopleSettings.ReadWrite.All"]
        let client = try GraphClient(settings: settings)
        try await client.signIn()
        let change = try await client.updatePhotoPolicy(source: source, allowedRoles: roles)
        if arguments.has("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            struct Change: Encodable {
                let before: PhotoUpdateSettings
                let after: PhotoUpdateSettings
            }
            print(
                String(decoding: try encoder.encode(Change(before: change.before, after: change.after)), as: UTF8.self))
        } else {
            print("before: \(change.before.summary)")
            print("after:  \(change.after.summary)")
        }
        Terminal.note(
            change.before == change.after
                ? "photo update settings unchanged"
                : "warning: photo update settings can take up to 24 hours to apply across Microsoft 365")
        return .success
    }
}
