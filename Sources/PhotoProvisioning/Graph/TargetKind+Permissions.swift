import PhotoModel

extension TargetKind {
    /// What to grant so photoprov may write this kind's photos, for messages. Contacts' photos need Contacts.ReadWrite
    /// (https://learn.microsoft.com/graph/api/profilephoto-update, "contact" rows).
    var writePermission: String {
        self == .contacts ? "Contacts.ReadWrite" : "ProfilePhoto.ReadWrite.All (or User.ReadWrite.All)"
    }

    /// What to grant so photoprov may look objects of this kind up (resolving keys, dry runs), for messages.
    var readPermission: String {
        self == .contacts ? "Contacts.ReadWrite (or Contacts.Read)" : "User.Read.All"
    }
}
