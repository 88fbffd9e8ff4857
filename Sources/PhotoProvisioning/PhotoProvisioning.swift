/// Facts about the library shared by the executable and the Graph client.
public enum PhotoProvisioning {
    /// The release version, printed by `photoprov --version` and sent in the User-Agent.
    public static let version = "0.1.0"
}
