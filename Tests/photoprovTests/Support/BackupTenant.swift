import Foundation
import PhotoProvisioning
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A tenant for the backup and restore tests: a `Batch` of people to upload, of whom the first `withPhotos` already
/// have a photo of their own in the emulator (seeded, distinct from what the batch uploads), and helpers to read
/// what the emulator holds and to act on its request counters.
final class BackupTenant: Sendable {
    let batch: Batch
    let emulator: Emulator
    /// The SHA-256 of each seeded photo, by UPN; people without a seeded photo are absent.
    let seeded: [String: String]

    static let clientID = "7d1e4c2a-9b3f-4e58-a6d0-1f2b3c4d5e6f"

    private init(batch: Batch, emulator: Emulator, seeded: [String: String]) {
        self.batch = batch
        self.emulator = emulator
        self.seeded = seeded
    }

    /// `count` people `user0001@contoso.example`…, the first `withPhotos` with a seeded photo, `extra` emulator
    /// arguments (latency), and `extraUsers` (spec objects) beside them.
    static func make(
        count: Int, withPhotos: Int, extra: [String] = [], extraUsers: [[String: Any]] = []
    ) async throws -> BackupTenant {
        let batch = try await Batch.make(count: count)
        let upns = batch.upns
        // Encoding and writing the seeded photos is blocking work: a worker thread's, not the cooperative pool's.
        let seeded = try await onWorkerThread { () throws -> [String: String] in
            var seeded: [String: String] = [:]
            for (index, upn) in upns.enumerated() where index < withPhotos {
                let photo = try Batch.photo(seed: 1000 + index, side: 64)
                try photo.write(to: URL(fileURLWithPath: batch.path("seeded-\(index).jpg")))
                seeded[upn] = Digest.sha256Hex(photo)
            }
            return seeded
        }
        let users: [[String: Any]] = upns.enumerated().map { index, upn in
            index < withPhotos
                ? ["userPrincipalName": upn, "photo": batch.path("seeded-\(index).jpg")] : ["userPrincipalName": upn]
        }
        let emulator = try await Emulator.start(
            extra,
            seed: [
                "domain": "contoso.example",
                "apps": [
                    [
                        "clientId": clientID, "secrets": ["s3cret-value"],
                        "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All"],
                    ]
                ],
                "users": users + extraUsers,
            ])
        return BackupTenant(batch: batch, emulator: emulator, seeded: seeded)
    }

    /// `photoprov ARGUMENTS` against the emulator, to its end.
    func run(_ arguments: [String]) async throws -> PhotoprovProcess.Output {
        try await PhotoprovProcess.run(arguments, environment: emulator.environment)
    }

    /// `photoprov upload` of the batch's CSV into its journal.
    func upload(_ extra: [String] = []) async throws -> PhotoprovProcess.Output {
        try await run(["upload", "--csv", batch.csv, "--journal", batch.journal] + extra)
    }

    /// `photoprov restore --run N` on the batch's journal.
    func restore(_ run: Int64, _ extra: [String] = []) async throws -> PhotoprovProcess.Output {
        try await self.run(["restore", "--run", "\(run)", "--journal", batch.journal] + extra)
    }

    /// The SHA-256 of every user's photo in the emulator (`nil`: none), by UPN.
    func photos() async throws -> [String: String?] {
        let users = try await emulator.state()["users"] as? [String: Any] ?? [:]
        var result: [String: String?] = [:]
        for (upn, value) in users {
            result[upn] = (value as? [String: Any])?["sha256"] as? String
        }
        return result
    }

    /// How many uploads the emulator counted for `upn` (writes through the test hook are not counted).
    func uploads(_ upn: String) async throws -> Int {
        (try await emulator.user(upn)["uploads"] as? NSNumber)?.intValue ?? 0
    }

    /// Sets `upn`'s photo as if they changed it in Teams (the emulator's hook); returns its SHA-256.
    @discardableResult
    func changeOutside(_ upn: String, seed: Int) async throws -> String {
        let photo = try Batch.photo(seed: seed, side: 64)
        var request = URLRequest(url: emulator.baseURL.appendingPathComponent("_emulator/users/\(upn)/photo"))
        request.httpMethod = "PUT"
        request.httpBody = photo
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw Emulator.Failure(description: "the photo hook refused \(upn)")
        }
        return Digest.sha256Hex(photo)
    }

    /// The report.json written to `directory`: its items by key and its outcome counts.
    func report(_ directory: String) throws -> (items: [String: [String: Any]], counts: [String: Int]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        var items: [String: [String: Any]] = [:]
        for item in object["items"] as? [[String: Any]] ?? [] {
            if let key = item["key"] as? String { items[key] = item }
        }
        let counts = ((object["run"] as? [String: Any])?["counts"] as? [String: Any] ?? [:]).compactMapValues {
            ($0 as? NSNumber)?.intValue
        }
        return (items, counts)
    }
}
