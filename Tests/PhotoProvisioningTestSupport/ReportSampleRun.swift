import Foundation
import PhotoProvisioning

/// Made-up runs for tests and for the report benchmark (`Benchmarks/ReportBenchmark`, scripts/bench-report).
package enum ReportSampleRun {
    private static let firstNames = [
        "Ada", "Björn", "Chloé", "Dmitri", "Eve", "Fatima", "Grace", "Hiro", "Ines", "José", "Kwame", "Léa", "Mateo",
        "Nadia", "Olu", "Priya", "Quinn", "Rosa", "Siobhán", "Tomasz", "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zoë",
    ]
    private static let lastNames = [
        "Andersen", "Brown", "Castillo", "Dubois", "Eriksson", "Fischer", "García", "Hughes", "Ivanova", "Jensen",
        "Kowalski", "Lambert", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt", "Tanaka", "Weiß",
    ]

    /// A deterministic mixed run of `count` items: every outcome, every flag, previews on most items.
    package static func make(count: Int, kind: RunKind = .upload) -> (ReportRun, [ReportItem]) {
        let started = Date(timeIntervalSince1970: 1_795_000_000)
        let seconds = max(1.0, Double(count) / 19.5)
        let run = ReportRun(
            id: "run-20261122-060000-bench", kind: kind, startedAt: started,
            endedAt: started.addingTimeInterval(seconds),
            policyVerdict: "Allowed",
            policyExplanation:
                "Photo updates come from the cloud (source: cloud) and allowedRoles is empty, so any identity with "
                + "ProfilePhoto.ReadWrite.All may upload.",
            policyAllowsUploads: true,
            arguments: [
                "upload", "--csv", "people.csv", "--tenant", "contoso.onmicrosoft.com", "--client-secret",
                "hunter2", "--report", "reports/",
            ],
            tenant: "contoso.onmicrosoft.com", graphHost: "graph.microsoft.com")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let outcomes: [Outcome] =
            kind == .dryRun
            ? [.wouldUpload, .wouldFail, .invalid, .skipped, .unchanged]
            : [.uploaded, .unchanged, .failed, .invalid, .skipped, .removed, .pending]
        var items: [ReportItem] = []
        items.reserveCapacity(count)
        for index in 0..<count {
            let first = firstNames[next(firstNames.count)]
            let last = lastNames[next(lastNames.count)]
            let upn = (first + "." + last).lowercased().filter { $0.isLetter || $0 == "." } + "\(index)@contoso.com"
            // Mostly successes, some of everything else.
            let roll = next(100)
            let outcome = roll < 70 ? outcomes[0] : outcomes[1 + (roll - 70) % (outcomes.count - 1)]
            let sample = next(ReportSamples.sources.count)
            let portrait = next(3) == 0
            let width = [4032, 3000, 1200, 800, 640, 200][next(6)]
            let height = portrait ? width * 4 / 3 : width * 3 / 4
            let side = min(648, min(width, height))
            var item = ReportItem(
                line: index + 2, key: upn, displayName: next(10) == 0 ? nil : "\(first) \(last)", outcome: outcome,
                sourcePath: "photos/\(first.lowercased())-\(last.lowercased())-\(index).jpg",
                photo: PhotoFacts(
                    sourceBytes: width * height / 4 + next(50_000), sourceWidth: width, sourceHeight: height,
                    sourceFormat: next(5) == 0 ? "png" : "jpeg", orientation: next(8) == 0 ? 6 : 1))
            switch outcome {
            case .failed, .wouldFail:
                let failure = next(4)
                item.record.reply.httpStatus = [403, 404, 429, 500][failure]
                item.record.reply.requestID = UUID(
                    uuidString: String(format: "6f1c%04x-0b1e-4c77-9d1e-0123456789ab", index))?
                    .uuidString.lowercased()
                item.record.reason =
                    [
                        "ForbiddenByAdmindEditPolicy: photo updates are restricted to administrators",
                        "Request_ResourceNotFound: user not found", "throttled 4 times (Retry-After 30 s), gave up",
                        "UnknownError from Graph",
                    ][failure]
            case .invalid:
                item.record.reason =
                    ["file not found", "not a jpeg or png", "truncated jpeg", "row has no upn"][next(4)]
                item.record.photo.sourceWidth = nil
                item.record.photo.sourceHeight = nil
                item.record.photo.sourceBytes = nil
                item.record.photo.sourceFormat = nil
                item.record.photo.orientation = nil
            case .skipped:
                item.record.reason = ["account disabled", "duplicate row for the same upn"][next(2)]
            default:
                break
            }
            if item.record.photo.sourceWidth != nil {
                item.record.photo.outputWidth = side
                item.record.photo.outputHeight = side
                item.record.photo.outputQuality = next(10) == 0 ? 62 : 85
                item.record.photo.qualityLowered = item.record.photo.outputQuality != 85
                item.record.photo.outputBytes = side * side / 5 + next(20_000)
                // A centred square keeps short × short of short × long.
                let short = Double(min(width, height))
                let long = Double(max(width, height))
                item.record.photo.cropFraction = 1 - short / long
                item.record.photo.upscaleAvoided = min(width, height) < 648
                item.sourcePreview = ReportSamples.sources[sample]
                item.outputPreview = ReportSamples.outputs[sample]
            }
            items.append(item)
        }
        return (run, items)
    }
}
