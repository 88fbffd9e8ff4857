import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The tenant's photo policy through the binary: switched to onPremises mid-run it stops the run (exit 3) after a
/// few refusals; under it a dry run says nothing would be uploaded, and why.
@Suite struct PolicyRefusalTests {
    /// PATCHes the emulator tenant's photoUpdateSettings as the demo app.
    private func setPolicy(_ emulator: Emulator, source: String) async throws {
        var request = URLRequest(url: emulator.baseURL.appendingPathComponent("beta/admin/people/photoUpdateSettings"))
        request.httpMethod = "PATCH"
        request.setValue("Bearer \(try await emulator.appToken())", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["source": source])
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        #expect((200..<300).contains(status), "PATCH answered \(status): \(String(decoding: data, as: UTF8.self))")
    }

    @Test func aPolicySwitchedToOnPremisesMidRunStopsItAfterAFewRefusals() async throws {
        let batch = try await Batch.make(count: 40)
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--latency-ms", "100"])
        let child = try PhotoprovProcess.start(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--jobs", "1", "--concurrency", "2"],
            environment: emulator.environment)
        // photoprov is held still (SIGSTOP) from its fourth upload until the policy has changed, however slow the
        // machine: the switch always comes mid-run.
        try await emulator.signal(SIGSTOP, to: child, whenArrived: 4, method: "PUT")
        try await setPolicy(emulator, source: "onPremises")
        child.signal(SIGCONT)
        let finished = await child.finished()
        let output = finished.stdoutText + finished.stderrText
        #expect(finished.status == 3, "\(output)")
        #expect(
            output.contains("ForbiddenByAdmindEditPolicy") && output.contains("the rest were not sent"), "\(output)")
        let counts = try await emulator.requestCounts()
        // Refusals stop the run after three in a row; the items already under way at the time (the pipeline's window:
        // 2 × --jobs + --concurrency) may still be answered.
        #expect(counts["403", default: 0] <= 3 + (2 * 1 + 2), "\(counts)")
        #expect(counts["200", default: 0] + counts["403", default: 0] < 40, "most uploads were never sent: \(counts)")
        let journal = try await batch.openJournal()
        let items = try await journal.items(run: 1)
        #expect(items.filter { $0.state == .failed }.isEmpty, "no item failed for the tenant's policy")
        #expect(try await journal.run(id: 1)?.status == .failed)
    }

    @Test func aDryRunUnderABlockedPolicySaysNothingWouldBeUploadedInOutputAndReport() async throws {
        let batch = try await Batch.make(count: 3)
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--policy-source", "onPremises"])
        let report = batch.path("preview")
        let run = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--dry-run", "--report", report],
            environment: emulator.environment)
        #expect(run.status == 3, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("nothing would be uploaded: "), "\(run.stdout)")
        #expect(run.stdout.contains("onPremises"), "the reason is named: \(run.stdout)")
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: report + "/report.json")))
        let document = try #require(json as? [String: Any])
        let counts = try #require((document["run"] as? [String: Any])?["counts"] as? [String: Any])
        #expect((counts["would-upload"] as? NSNumber)?.intValue == 0, "\(counts)")
        #expect((counts["would-fail"] as? NSNumber)?.intValue == 3, "\(counts)")
        let items = try #require(document["items"] as? [[String: Any]])
        #expect(
            items.allSatisfy { ($0["reason"] as? String)?.contains("blocked by the tenant's photo policy") == true })
    }
}
