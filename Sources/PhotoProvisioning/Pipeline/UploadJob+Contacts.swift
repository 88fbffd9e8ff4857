import PhotoGraph
import PhotoModel

extension UploadJob {
    /// Contacts by email in the run's mailbox and folder: one contact, none, or several with the address.
    func contactResolutions(_ addresses: [String]) async throws -> [String: KeyResolution] {
        guard let mailbox = settings.mailbox else {
            preconditionFailure("a contacts run has a mailbox (UploadJob.Settings.mailbox)")
        }
        let found = try await graph.resolveContacts(
            addresses: addresses, mailbox: mailbox.user, folderID: contactFolderID)
        return Dictionary(
            uniqueKeysWithValues: Set(addresses).map { address -> (String, KeyResolution) in
                switch found[address] {
                case .found(let contact): (address, .resolved(contact.id))
                case .unchecked: (address, .unchecked)
                case .notFound, nil: (address, .failed(.unknownKey, "no contact with email \(address) in \(mailbox)"))
                case .ambiguous(let contacts):
                    (
                        address,
                        .failed(
                            .ambiguousKey,
                            "\(contacts.count) contacts have email \(address): ids "
                                + contacts.map(\.id).joined(separator: ", "))
                    )
                case .failed(let message):
                    (address, .failed(.lookupFailed, "cannot look up email \(address) in \(mailbox): \(message)"))
                }
            })
    }

    /// Why a target's photo cannot be deleted, for `--remove-missing` items, notes and its usage error.
    public static func undeletable(_ target: TargetKind) -> String {
        "graph cannot delete a \(target.noun)'s photo (its profilePhoto delete takes users and groups only); "
            + "remove it in \(target == .contacts ? "Outlook" : "Teams")"
    }
}
