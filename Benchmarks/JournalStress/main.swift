// Walks N made-up items through the journal's upload states, four commits each, printing `committed ID` after
// each item's `uploaded` commit. JournalKillTests SIGKILLs it after a random number of those lines and checks the
// file; `--full-sync` measures what synchronous=FULL would cost (README "Durability").
//
// Usage: JournalStress [--full-sync] PATH N
import Foundation
import PhotoProvisioning

var arguments = Array(CommandLine.arguments.dropFirst())
let fullSync = arguments.contains("--full-sync")
arguments.removeAll { $0 == "--full-sync" }
guard arguments.count == 2, let count = Int(arguments[1]), count > 0 else {
    FileHandle.standardError.write(Data("usage: JournalStress [--full-sync] PATH N\n".utf8))
    exit(2)
}
let path = arguments[0]
/// Writes one line straight to the descriptor (no stdio buffer), so the reader sees each commit at once.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

do {
    let began = Date()
    let journal = try await Journal.open(at: path, durability: fullSync ? .full : .normal)
    let start = try await journal.startRun(kind: .upload, commandKey: "stress:\(count)", arguments: ["JournalStress"])
    let planned = (0..<count).map {
        Journal.NewItem(
            target: .users, match: .upn, key: "user\($0)@stress.test", line: $0 + 2, sourcePath: "p\($0).jpg",
            fingerprint: "fp1")
    }
    let items = try await journal.addItems(planned, run: start.run.id)
    for item in items where item.state.needsWork {
        let sha = String(repeating: String(item.id % 10), count: 64)
        let facts = PhotoFacts(sourceSHA256: sha, outputBytes: 1000 + Int(item.id))
        try await journal.record(Journal.ItemUpdate(.converted, photo: facts), item: item.id)
        try await journal.storeOriginalPreview(Data(repeating: UInt8(item.id & 0xFF), count: 512), sourceSHA256: sha)
        // A kill from here to the next commit leaves the item `uploading`, to be sent again on resume.
        try await journal.record(Journal.ItemUpdate(.uploading), item: item.id)
        let reply = GraphReply(httpStatus: 200, requestID: "req-\(item.id)")
        try await journal.record(Journal.ItemUpdate(.uploaded, reply: reply), item: item.id)
        say("committed \(item.id)")
    }
    try await journal.finishRun(start.run.id, status: .completed)
    let seconds = Date().timeIntervalSince(began)
    say(
        "run \(start.run.id) resumed \(start.resumed) items \(items.count) seconds \(String(format: "%.3f", seconds)) "
            + "per-item-ms \(String(format: "%.3f", seconds * 1000 / Double(max(items.count, 1))))")
} catch {
    FileHandle.standardError.write(Data("JournalStress: \(error)\n".utf8))
    exit(1)
}
