import Foundation
import PhotoProvisioning
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A tenant for the backup and restore tests: a `Batch` of people to upload, of whom the first `withPhotos` already
/// have a photo of their own in the emulator (seeded, distinct from what the batch uploads), and helpers to read
/// what the emulator holds and to act on its request counters.
final class BackupTenant {
    let batch: Batch
    let emulator: Emulator
    /// The SHA-256 of each seeded photo, by UPN; people without a seeded photo are absent.
    let seeded: [String: String]

    static let clientID = "7d1e4c2a-9b3f-4e58-a6d0-1f2b3c4d5e6f"

    /// `count` people `user0001@contoso.example`…, the first `withPhotos` with a seeded photo, `extra` emulator
    /// arguments (latency), and `extraUsers` (spec objects) beside them.
    init(count: Int, withPhotos: Int, extra: [String] = [], extraUsers: [[String: Any]] = []) throws {
        batch = try Batch(count: count)
        var users: [[String: Any]] = []
        var seeded: [String: String] = [:]
        for (index, upn) in batch.upns.enumerated() {
            var user: [String: Any] = ["userPrincipalName": upn]
            if index < withPhotos {
                let photo = try Batch.photo(seed: 1000 + index, side: 64)
                let path = batch.path("seeded-\(index).jpg")
                try photo.write(to: URL(fileURLWithPath: path))
                user["photo"] = path
                seeded[upn] = Digest.sha256Hex(photo)
            }
            users.append(user)
        }
        self.seeded = seeded
        emulator = try Emulator.start(extra, seed: [
            "domain": "contoso.example",
            "apps": [["clientId": Self.clientID, "secrets": ["s3cret-value"],
                "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All"]]],
            "users": users + extraUsers,
        ])
    }

    /// `photoprov ARGUMENTS` against the emulator, to its end.
    func run(_ arguments: [String]) throws -> PhotoprovProcess.Output {
        try PhotoprovProcess.run(arguments, environment: emulator.environment)
    }

    /// `photoprov upload` of the batch's CSV into its journal.
    func upload(_ extra: [String] = []) throws -> PhotoprovProcess.Output {
        try run(["upload", "--csv", batch.csv, "--journal", batch.journal] + extra)
    }

    /// `photoprov restore --run N` on the batch's journal.
    func restore(_ run: Int64, _ extra: [String] = []) throws -> PhotoprovProcess.Output {
        try self.run(["restore", "--run", "\(run)", "--journal", batch.journal] + extra)
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

    /// Graph requests of `method` (`*`: any) the emulator has received so far (its wait hook answers at once when
    /// asked for 0).
    func arrived(_ method: String = "*") async throws -> Int {
        let (data, _) = try await URLSession.shared.data(from: waitURL(0, method: method, timeout: 1))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (object?["arrived"] as? NSNumber)?.intValue ?? 0
    }

    /// `GET /_emulator/wait?arrived=N&method=M&timeout=S`: answers once N requests of M have arrived (or after S
    /// seconds), with how many have.
    private func waitURL(_ count: Int, method: String, timeout: Double) -> URL {
        var components = URLComponents(
            url: emulator.baseURL.appendingPathComponent("_emulator/wait"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "arrived", value: "\(count)"), URLQueryItem(name: "method", value: method),
            URLQueryItem(name: "timeout", value: "\(timeout)"),
        ]
        return components.url!
    }

    /// Kills `process` with SIGKILL the moment the emulator has received `count` Graph requests of `method`, and
    /// returns whether it struck before the process ended by itself. The waiting happens on a Dispatch thread, not
    /// the cooperative pool, which other tests' blocking child processes may hold while the run goes on.
    func kill(_ process: Process, whenArrived count: Int, method: String) async -> Bool {
        let url = waitURL(count, method: method, timeout: 2)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                while process.isRunning {
                    guard let data = try? Data(contentsOf: url),
                        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                        let arrived = (object["arrived"] as? NSNumber)?.intValue, arrived >= count
                    else { continue }
                    Foundation.kill(process.processIdentifier, SIGKILL)
                    continuation.resume(returning: true)
                    return
                }
                continuation.resume(returning: false)
            }
        }
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
