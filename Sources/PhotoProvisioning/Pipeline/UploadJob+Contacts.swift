import PhotoGraph
import PhotoModel

extension UploadJob {
    /// Contacts by email in the run's mailbox and folder: one contact, none, or several with the address.
    func contactResolutions(_ addresses: [String]) async throws -> [String: KeyResolution] {
        guard let mailbox = settings.mailbox else {
            preconditionFailure("a contacts run has a mailbox (UploadJob.Settings.mailbox)")
        }
        return Self.resolutions(
            addresses,
            try await graph.resolveContacts(addresses: addresses, mailbox: mailbox.user, folderID: contactFolderID),
            id: \.id,
            notFound: { "no contact with email \($0) in \(mailbox)" },
            ambiguous: { "\($1.count) contacts have email \($0): ids " + $1.map(\.id).joined(separator: ", ") },
            failed: { "cannot look up email \($0) in \(mailbox): \($1)" })
    }

    /// Why a target's photo cannot be deleted, for `--remove-missing` items, notes and its usage error.
    public static func undeletable(_ target: TargetKind) -> String {
        "graph cannot delete a \(target.noun)'s photo (its profilePhoto delete takes users and groups only); "
            + "remove it in \(target == .contacts ? "Outlook" : "Teams")"
    }
}
