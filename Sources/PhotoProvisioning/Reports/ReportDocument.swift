import Foundation
import PhotoModel

/// The JSON shape of a report: report.json, and (compacted) the data block inside report.html.
///
/// Field names are stable and documented in README ("Reports"); add fields, never rename them.
struct ReportDocument: Encodable {
    /// How the items are encoded.
    enum Mode {
        /// report.json: every field present, unknown values as `null`; previews only when asked, as base64.
        case file(previews: Bool)
        /// report.html's data block: unknown values left out, no previews (the page carries them in a block of
        /// their own, which the JSON encoder and parser never have to scan).
        case html
    }

    let run: ReportRun
    let items: [ReportItem]
    let generatedAt: Date
    let mode: Mode

    static let formatName = "photoprov-report"
    static let formatVersion = 1

    private enum Keys: String, CodingKey {
        case format, formatVersion, generator, generatedAt, run, items
        // run
        case id, kind, startedAt, endedAt, durationSeconds, throughputItemsPerSecond, policy, arguments, tenant
        case graphHost, itemCount, counts, flagCounts
        // policy
        case verdict, explanation, allowsUploads
        // item
        case line, targetKind, key, displayName, title, outcome, reason, httpStatus, requestId, sourcePath
        case sourceBytes, sourceWidth, sourceHeight, sourceFormat, outputBytes, outputWidth, outputHeight
        case outputQuality, orientation, cropFraction, qualityLowered, dimensionsLowered, upscaleAvoided, flags
        case sourcePreview, outputPreview, mailbox, contactFolder
        // HTML legend
        case legend, outcomes
    }

    func encode(to encoder: any Encoder) throws {
        var root = encoder.container(keyedBy: Keys.self)
        try root.encode(Self.formatName, forKey: .format)
        try root.encode(Self.formatVersion, forKey: .formatVersion)
        try root.encode("photoprov \(Release.version)", forKey: .generator)
        try root.encode(generatedAt, forKey: .generatedAt)

        var runBox = root.nestedContainer(keyedBy: Keys.self, forKey: .run)
        try runBox.encode(run.id, forKey: .id)
        try runBox.encode(run.kind, forKey: .kind)
        try runBox.encode(run.startedAt, forKey: .startedAt)
        try put(run.endedAt, .endedAt, in: &runBox)
        try put(run.duration.flatMap { Self.finite($0, places: 3) }, .durationSeconds, in: &runBox)
        try put(
            run.throughput(itemCount: items.count).flatMap { Self.finite($0, places: 2) }, .throughputItemsPerSecond,
            in: &runBox)
        var policy = runBox.nestedContainer(keyedBy: Keys.self, forKey: .policy)
        try policy.encode(run.policyVerdict, forKey: .verdict)
        try policy.encode(run.policyExplanation, forKey: .explanation)
        try put(run.policyAllowsUploads, .allowsUploads, in: &policy)
        try runBox.encode(run.arguments, forKey: .arguments)
        try put(run.tenant, .tenant, in: &runBox)
        try put(run.graphHost, .graphHost, in: &runBox)
        try runBox.encode(items.count, forKey: .itemCount)
        let counts = Outcome.counts(in: items)
        try runBox.encode(
            Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
            forKey: .counts)
        var flagCounts = Dictionary(uniqueKeysWithValues: ReportFlag.allCases.map { ($0.rawValue, 0) })
        for item in items {
            for flag in item.flags { flagCounts[flag.rawValue, default: 0] += 1 }
        }
        try runBox.encode(flagCounts, forKey: .flagCounts)

        if case .html = mode {
            // The page's script labels and colours outcomes and flags from here, so Swift stays the one source.
            var legend = root.nestedContainer(keyedBy: Keys.self, forKey: .legend)
            var outcomes = legend.nestedUnkeyedContainer(forKey: .outcomes)
            for outcome in Outcome.allCases {
                try outcomes.encode(["id": outcome.rawValue, "label": outcome.label, "tone": outcome.tone.rawValue])
            }
            var flags = legend.nestedUnkeyedContainer(forKey: .flags)
            for flag in ReportFlag.allCases {
                try flags.encode(["id": flag.rawValue, "label": flag.label, "explanation": flag.explanation])
            }
        }

        var list = root.nestedUnkeyedContainer(forKey: .items)
        for item in items {
            var box = list.nestedContainer(keyedBy: Keys.self)
            try encode(item, into: &box)
        }
    }

    private func encode(_ item: ReportItem, into box: inout KeyedEncodingContainer<Keys>) throws {
        let record = item.record
        let photo = record.photo
        try put(record.line, .line, in: &box)
        try box.encode(record.target.noun, forKey: .targetKind)
        try box.encode(record.key, forKey: .key)
        try put(item.displayName, .displayName, in: &box)
        try box.encode(item.outcome, forKey: .outcome)
        try put(record.reason, .reason, in: &box)
        try put(record.reply.httpStatus, .httpStatus, in: &box)
        try put(record.reply.requestID, .requestId, in: &box)
        try put(record.sourcePath, .sourcePath, in: &box)
        try put(photo.sourceBytes, .sourceBytes, in: &box)
        try put(photo.sourceWidth, .sourceWidth, in: &box)
        try put(photo.sourceHeight, .sourceHeight, in: &box)
        try put(photo.sourceFormat, .sourceFormat, in: &box)
        try put(photo.outputBytes, .outputBytes, in: &box)
        try put(photo.outputWidth, .outputWidth, in: &box)
        try put(photo.outputHeight, .outputHeight, in: &box)
        try put(photo.outputQuality, .outputQuality, in: &box)
        try put(photo.orientation, .orientation, in: &box)
        try put(photo.cropFraction.flatMap { Self.finite($0, places: 4) }, .cropFraction, in: &box)
        try box.encode(photo.qualityLowered, forKey: .qualityLowered)
        try box.encode(photo.dimensionsLowered, forKey: .dimensionsLowered)
        try box.encode(photo.upscaleAvoided, forKey: .upscaleAvoided)
        try box.encode(item.flags, forKey: .flags)
        try put(record.mailbox?.user, .mailbox, in: &box)
        try put(record.mailbox?.folder, .contactFolder, in: &box)
        switch mode {
        case .file(let previews):
            if previews {
                try put(item.sourcePreview.map { Data($0).base64EncodedString() }, .sourcePreview, in: &box)
                try put(item.outputPreview.map { Data($0).base64EncodedString() }, .outputPreview, in: &box)
            }
        case .html:
            try box.encode(item.title, forKey: .title)
        }
    }

    /// Writes `value`, or `null` in report.json / nothing in the HTML data block when it is nil.
    private func put<Value: Encodable>(
        _ value: Value?, _ key: Keys, in box: inout KeyedEncodingContainer<Keys>
    ) throws {
        switch mode {
        case .file: try box.encode(value, forKey: key)
        case .html: try box.encodeIfPresent(value, forKey: key)
        }
    }

    /// A finite value rounded to `places` decimals, or nil (JSON has no NaN or infinity).
    static func finite(_ value: Double, places: Int) -> Double? {
        guard value.isFinite else { return nil }
        let scale = pow(10.0, Double(places))
        return (value * scale).rounded() / scale
    }

    /// Encodes the document as UTF-8 JSON with sorted keys, so the same report is always the same bytes.
    func encoded(pretty: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
