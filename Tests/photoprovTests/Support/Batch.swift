import Foundation
import PhotoCodec
import PhotoProvisioning
import TestSupport

/// A temporary folder with generated photos and a CSV naming them, for end-to-end upload tests.
final class Batch: Sendable {
    let directory: URL
    let upns: [String]

    /// Makes `count` users `user0001@contoso.example`… each with a distinct small JPEG, and `people.csv`; the
    /// encoding and writing happen on a worker thread, not on the cooperative pool.
    static func make(count: Int, side: Int = 96, prefix: String = "user") async throws -> Batch {
        try await onWorkerThread { try Batch(count: count, side: side, prefix: prefix) }
    }

    private init(count: Int, side: Int, prefix: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "photoprov-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var rows = ["upn,photo"]
        var upns: [String] = []
        for index in 1...max(count, 1) where count > 0 {
            let upn = String(format: "\(prefix)%04d@contoso.example", index)
            let file = String(format: "\(prefix)%04d.jpg", index)
            try Batch.photo(seed: index, side: side).write(to: directory.appendingPathComponent(file))
            rows.append("\(upn),\(file)")
            upns.append(upn)
        }
        self.upns = upns
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: directory.appendingPathComponent("people.csv"))
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var csv: String { directory.appendingPathComponent("people.csv").path }
    var journal: String { directory.appendingPathComponent("photoprov.journal").path }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes `text` to `name` in the folder.
    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    /// A JPEG of `side`×`side` pixels whose colours depend on `seed`, so every seed has its own SHA-256.
    static func photo(seed: Int, side: Int = 96) throws -> Data {
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        for y in 0..<side {
            for x in 0..<side {
                let offset = (y * side + x) * 3
                pixels[offset] = UInt8(truncatingIfNeeded: x * 255 / side + seed * 37)
                pixels[offset + 1] = UInt8(truncatingIfNeeded: y * 255 / side + seed * 11)
                pixels[offset + 2] = UInt8(truncatingIfNeeded: (x + y) * 3 + seed * 53)
            }
        }
        return Data(try PhotoCodec.encodeJPEG(RGBImage(width: side, height: side, pixels: pixels), quality: 90))
    }

    /// Opens the batch's journal.
    func openJournal() async throws -> Journal {
        try await Journal.open(at: journal, create: false)
    }
}
