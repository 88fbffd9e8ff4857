import Foundation
import PhotoProvisioning
import Testing

/// A CSV whose cells are megabytes long (issue 12: ten 10 MB fields echoed took 626 MB and 52 MB of log): each is
/// cut to its start and a marker (`Excerpt`) in the output, the journal and the report, so what photoprov writes
/// stays small.
@Suite struct LongFieldTests {
    private static let mebibyte = 1 << 20

    @Test func tenMegabyteFieldsAreCutToTheirStartInOutputJournalAndReport() async throws {
        let batch = try await Batch.make(count: 1)
        // 2 MiB cells keep the test quick; the rule is the same for the 10 MB.
        let field = "start-of-field-" + String(repeating: "x", count: 2 * Self.mebibyte - 15)
        let rows = (0..<10).map { index in
            // A key that is not a UPN, then a valid user whose photo path is the long cell.
            index % 2 == 0 ? "\(field),user0001.jpg" : "user0001@contoso.example,\(field)"
        }
        try batch.write("people.csv", (["upn,photo"] + rows).joined(separator: "\n") + "\n")
        let report = batch.path("report")
        let run = try await WatchedChild.run(
            ["upload", "--csv", batch.csv, "--dry-run", "--offline", "--journal", batch.journal, "--report", report])
        print("ten 2 MiB fields: peak RSS \(run.peakRSS / Self.mebibyte) MiB, output \(run.stdout.utf8.count) bytes")
        #expect(run.status == 1, "\(run.stderr)")
        let cut = String(field.prefix(Excerpt.kept)) + "…[cut: \(field.utf8.count) bytes]"
        #expect(run.stdout.utf8.count + run.stderr.utf8.count < 64 * 1024, "the output echoes the fields whole")
        #expect(
            run.stdout.contains("invalid \(cut) (line 2): '\(cut)' is not a valid UPN"), "\(run.stdout.prefix(2000))")
        #expect(
            run.stdout.contains("invalid user0001@contoso.example (line 3): photo file cannot be read: ")
                && run.stdout.contains(": \(cut)\n"), "\(run.stdout.prefix(2000))")

        let journal = try await batch.openJournal()
        let items = try await journal.items(run: 1)
        #expect(items.count == 10)
        #expect(items.allSatisfy { $0.key.utf8.count < 1024 && ($0.reason?.utf8.count ?? 0) < 1024 })
        #expect(items.allSatisfy { ($0.sourcePath?.utf8.count ?? 0) < 1024 })
        let csv = try Data(contentsOf: URL(fileURLWithPath: report + "/report.csv"))
        #expect(csv.count < 64 * 1024, "report.csv holds the fields whole: \(csv.count) bytes")
    }
}
