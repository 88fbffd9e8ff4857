import Foundation
import PhotoProvisioning

extension Command {
    /// `--mailbox` and `--contact-folder`, which `upload` and `policy` take for `--target contacts`.
    static let contactsOptions: [Arguments.Option] = [
        .value("mailbox", "UPN", "--target contacts: the mailbox whose contacts get photos (a UPN or user id)"),
        .value(
            "contact-folder", "NAME|ID", "--target contacts: this contact folder instead of the default Contacts folder"
        ),
    ]

    /// The mailbox of a `--target contacts` run, `nil` for other targets.
    ///
    /// - Throws: `UsageError` when contacts lack `--mailbox`, the mailbox is neither a UPN nor a GUID, or the options
    ///   are given for another target.
    static func contactsMailbox(from arguments: Arguments, target: TargetKind) throws -> Mailbox? {
        guard target == .contacts else {
            if arguments.value("mailbox") != nil || arguments.value("contact-folder") != nil {
                throw UsageError("--mailbox and --contact-folder are for --target contacts")
            }
            return nil
        }
        guard let given = arguments.value("mailbox")?.trimmingCharacters(in: .whitespaces), !given.isEmpty else {
            throw UsageError("--target contacts needs --mailbox UPN: whose contacts get photos")
        }
        let parts = given.split(separator: "@", omittingEmptySubsequences: false)
        guard (parts.count == 2 && parts.allSatisfy { !$0.isEmpty }) || UUID(uuidString: given) != nil else {
            throw UsageError("--mailbox '\(given)' is neither a user principal name (name@domain) nor a user id (GUID)")
        }
        let folder = arguments.value("contact-folder")?.trimmingCharacters(in: .whitespaces)
        if let folder, folder.isEmpty { throw UsageError("--contact-folder needs a folder's display name or id") }
        return Mailbox(user: given.lowercased(), folder: folder)
    }
}
