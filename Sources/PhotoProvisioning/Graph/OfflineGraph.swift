import Foundation
import PhotoModel

/// The Graph of an offline dry run (`--dry-run --offline`, or a dry run without credentials): no tenant is read
/// and nothing is sent. Every question is answered "not checked", so the pipeline's dry run says so per item.
public struct OfflineGraph: GraphService {
    /// Why nothing is checked, as item notes and the run's verdict say it.
    public static let reason = "offline"

    /// Creates the offline stand-in.
    public init() {}

    public func signIn() async throws(GraphError) -> SignedInIdentity { SignedInIdentity(offline: ()) }

    public func preflight() async -> PolicyReport {
        PolicyReport(
            verdict: .notChecked, settings: nil, settingsError: nil, identity: SignedInIdentity(offline: ()),
            explanation: [Self.reason], permissions: [])
    }

    public func putPhoto(_ target: PhotoTarget, jpeg: Data) async -> GraphOutcome { Self.refused(target) }

    public func deletePhoto(_ target: PhotoTarget) async -> GraphOutcome { Self.refused(target) }

    public func readPhoto(_ target: PhotoTarget) async -> PhotoRead {
        PhotoRead(outcome: Self.refused(target), photo: nil)
    }

    public func photoMetadata(_ target: PhotoTarget) async -> PhotoMetadataRead {
        PhotoMetadataRead(outcome: Self.refused(target), metadata: nil)
    }

    public func resolveUsers(keys: [String], by match: MatchKey) async throws(GraphError) -> [String: UserLookup] {
        Dictionary(keys.map { ($0, UserLookup.unchecked) }, uniquingKeysWith: { first, _ in first })
    }

    public func lookupTargets(_ targets: [PhotoTarget]) async throws(GraphError) -> [PhotoTarget: TargetState] {
        Dictionary(
            targets.map { ($0, TargetState(exists: nil, problem: .notChecked(Self.reason))) },
            uniquingKeysWith: { first, _ in first })
    }

    public func preflightContacts(in mailbox: Mailbox) async -> PolicyReport {
        var report = await preflight()
        report.contacts = ContactFolderCheck(mailbox: mailbox, found: nil)
        return report
    }

    public func resolveContacts(
        addresses: [String], mailbox user: String, folderID: String?
    ) async throws(GraphError) -> [String: ContactLookup] {
        Dictionary(addresses.map { ($0, ContactLookup.unchecked) }, uniquingKeysWith: { first, _ in first })
    }

    /// Offline nothing reaches a tenant; a caller that asks anyway gets a failure, never a pretended success.
    private static func refused(_ target: PhotoTarget) -> GraphOutcome {
        GraphOutcome(failure: .unexpected, message: "\(target): offline, nothing is sent", attempts: 0)
    }
}
