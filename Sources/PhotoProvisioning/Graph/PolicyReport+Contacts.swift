import PhotoModel

extension PolicyReport {
    /// What probing a contacts run's mailbox found wrong: something that stops the run, or leaves it unjudged.
    public enum ContactsProblem: Sendable, Hashable {
        /// The run cannot work: the mailbox or folder does not exist, or Graph refuses to read it.
        case blocked(String)
        /// The probe could not tell (Graph unreachable, an unexpected answer, no token).
        case unknown(String)
    }

    /// The permission writing contacts' photos needs, application (`roles`) or delegated (`scp`): Contacts.ReadWrite
    /// (https://learn.microsoft.com/graph/api/profilephoto-update, contact rows of the permission tables).
    public static let contactsWritePermission = "Contacts.ReadWrite"

    /// Whether `claims` grant writing contacts' photos.
    static func grantsContactsWrite(_ claims: AccessTokenClaims) -> Bool {
        (claims.isDelegated ? claims.scopes : claims.roles).contains(contactsWritePermission)
    }

    /// Judges a `--target contacts` run: Contacts.ReadWrite in the token, and what probing the mailbox and folder
    /// found (`problem`). The photo update settings are not part of it (they govern users' profile photos).
    public static func evaluateContacts(
        identity: SignedInIdentity, check: ContactFolderCheck, problem: ContactsProblem?
    ) -> PolicyReport {
        var blocked: [String] = []
        var unknown: [String] = []
        var notes: [String] = []
        var findings: [PermissionFinding] = []
        if let claims = identity.claims {
            let kind = claims.isDelegated ? "delegated" : "application"
            if grantsContactsWrite(claims) {
                findings.append(
                    PermissionFinding(need: "write contacts' photos", granted: true, detail: contactsWritePermission))
                // user-list-contacts: a delegated app reaches another user's contacts only when that user shared the
                // folder with, or delegated access to, the signed-in user; application permissions reach every mailbox.
                if claims.isDelegated, claims.userPrincipalName?.lowercased() != check.mailbox.user {
                    notes.append(
                        "a delegated token reaches the contacts of \(check.mailbox.user) only if that mailbox is "
                            + "shared with \(claims.userPrincipalName ?? "the signed-in user")")
                }
            } else {
                findings.append(
                    PermissionFinding(
                        need: "write contacts' photos", granted: false,
                        detail: "grant the \(kind) permission \(contactsWritePermission), with admin consent"))
                blocked.append(
                    "the token lacks \(contactsWritePermission), which setting contacts' photos needs; grant the "
                        + "\(kind) permission \(contactsWritePermission) and admin consent")
            }
        } else {
            findings.append(
                PermissionFinding(
                    need: "write contacts' photos", granted: nil,
                    detail: "the token is not a readable JWT; permissions unknown"))
            unknown.append("the token is not a readable JWT, so its permissions are unknown")
        }
        switch problem {
        case .blocked(let reason)?: blocked.append(reason)
        case .unknown(let reason)?: unknown.append(reason)
        case nil: break
        }
        if check.found == true {
            let folder =
                check.folderName.map { "folder \($0) (\(check.folderID ?? "?"))" } ?? "the default Contacts folder"
            findings.append(
                PermissionFinding(need: "mailbox", granted: true, detail: "\(check.mailbox.user), \(folder)"))
        } else if problem != nil {
            findings.append(PermissionFinding(need: "mailbox", granted: false, detail: "\(check.mailbox)"))
        }
        notes.append("the tenant's photo update settings govern users' profile photos, not contacts: not read")

        let verdict: Verdict
        let explanation: [String]
        if !blocked.isEmpty {
            verdict = .blocked
            explanation = blocked + unknown + notes
        } else if !unknown.isEmpty {
            verdict = .unknown
            explanation = unknown + notes
        } else {
            verdict = .allowed
            explanation = notes
        }
        var report = PolicyReport(
            verdict: verdict, settings: nil, settingsError: nil, identity: identity, explanation: explanation,
            permissions: findings)
        report.contacts = check
        return report
    }
}
