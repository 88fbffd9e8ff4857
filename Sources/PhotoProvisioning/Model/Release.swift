/// Facts about the release shared by the executable and the Graph client.
public enum Release {
    /// The release version, printed by `photoprov --version`, sent in the User-Agent and stamped on reports.
    public static let version = "0.1.0"
}
