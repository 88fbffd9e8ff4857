import Foundation
import PhotoModel

/// The JSON shape of a report: report.json, and (compacted) the data block inside report.html.
///
/// Field names are stable and documented in README ("Reports"); add fields, never rename them. The document is
/// written in pieces so that a report of any size is encoded one page of items at a time: `opening()` (the
/// header fields and `"items" : [`), `page(_:)` for each page, then `closing(run:summary:)` (the legend for the
/// page, then the run). That is the order JSONEncoder's sorted keys give, and each piece comes from JSONEncoder, so
/// the bytes are what encoding the whole document at once would give.
struct ReportDocument {
    /// How the items are encoded.
    enum Mode {
        /// report.json: every field present, unknown values as `null`; previews only when asked, as base64.
        case file(previews: Bool)
        /// report.html's data block: unknown values left out, no previews (the page carries them in a block of
        /// their own, which the JSON encoder and parser never have to scan).
        case html
    }

    static let formatName = "photoprov-report"
    static let formatVersion = 1

    let mode: Mode
    let generatedAt: Date
    private let encoder = JSONEncoder()
    private var pretty: Bool { if case .file = mode { true } else { false } }
    /// Whether a page has been written yet (the next one is then preceded by a comma).
    private var started = false

    /// A document of `mode`: report.json is pretty-printed, the HTML's data block compact.
    init(mode: Mode, generatedAt: Date) {
        self.mode = mode
        self.generatedAt = generatedAt
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    }

    /// `{`, the header fields (format, version, when, by what) and the opening of the items array.
    func opening() throws -> [UInt8] {
        var header = Array(try encoder.encode(Header(generatedAt: generatedAt)))
        // The header's own closing brace (after a line break when pretty) gives way to the items.
        header.removeLast(pretty ? 2 : 1)
        header.append(contentsOf: (pretty ? ",\n  \"items\" : [\n" : ",\"items\":[").utf8)
        return header
    }

    /// The items of one page, after a comma when an earlier page was written.
    mutating func page(_ items: [ReportItem]) throws -> [UInt8] {
        guard !items.isEmpty else { return [] }
        let list = Array(try encoder.encode(ItemList(items: items, document: self)))
        var out: [UInt8] = started ? Array((pretty ? ",\n" : ",").utf8) : []
        started = true
        if pretty {
            // `[` and a line break, the items' lines, a line break and `]`: the items, one level deeper.
            out.append(contentsOf: "  ".utf8)
            Self.indent(list[2..<(list.count - 2)], into: &out)
        } else {
            out.append(contentsOf: list.dropFirst().dropLast())
        }
        return out
    }

    /// The end of the items array, the legend (HTML only), the run with its figures, and `}`.
    func closing(run: ReportRun, summary: ReportSummary) throws -> [UInt8] {
        var out = Array((pretty ? "\n  ]" : "]").utf8)
        if case .html = mode {
            out.append(contentsOf: ",\"legend\":".utf8)
            out.append(contentsOf: try encoder.encode(Legend()))
        }
        out.append(contentsOf: (pretty ? ",\n  \"run\" : " : ",\"run\":").utf8)
        let box = Array(try encoder.encode(RunBox(run: run, summary: summary, document: self)))
        // Nested one level deeper: every line but the first gains a top-level indentation.
        if pretty { Self.indent(box[...], into: &out) } else { out.append(contentsOf: box) }
        out.append(contentsOf: (pretty ? "\n}" : "}").utf8)
        return out
    }

    /// Appends `json`, each line after a line break indented by two more spaces, except blank ones (the inside
    /// of an empty array).
    private static func indent(_ json: ArraySlice<UInt8>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + json.count + json.count / 8)
        json.withUnsafeBufferPointer { bytes in
            for index in bytes.indices {
                out.append(bytes[index])
                if bytes[index] == UInt8(ascii: "\n"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "\n") {
                    out.append(UInt8(ascii: " "))
                    out.append(UInt8(ascii: " "))
                }
            }
        }
    }

    fileprivate enum Keys: String, CodingKey {
        case format, formatVersion, generator, generatedAt
        // run
        case id, kind, startedAt, endedAt, durationSeconds, throughputItemsPerSecond, policy, arguments, tenant
        case graphHost, itemCount, counts, flagCounts, restoresRun
        // policy
        case verdict, explanation, allowsUploads
        // item
        case line, targetKind, key, displayName, title, outcome, reason, httpStatus, requestId, sourcePath
        case sourceBytes, sourceWidth, sourceHeight, sourceFormat, outputBytes, outputWidth, outputHeight
        case outputQuality, orientation, cropFraction, qualityLowered, dimensionsLowered, upscaleAvoided, flags
        case sourcePreview, outputPreview, mailbox, contactFolder, hadPhoto, previousBytes, previousPreview
        // face framing
        case faceCount, faceBox, faceMark, width, height, x, y
        // HTML legend
        case outcomes
    }

    /// The fields before the items.
    private struct Header: Encodable {
        let generatedAt: Date

        func encode(to encoder: any Encoder) throws {
            var root = encoder.container(keyedBy: Keys.self)
            try root.encode(ReportDocument.formatName, forKey: .format)
            try root.encode(ReportDocument.formatVersion, forKey: .formatVersion)
            try root.encode("photoprov \(Release.version)", forKey: .generator)
            try root.encode(generatedAt, forKey: .generatedAt)
        }
    }

    /// The page's labels and colours for outcomes and flags, so Swift stays their one source.
    private struct Legend: Encodable {
        func encode(to encoder: any Encoder) throws {
            var legend = encoder.container(keyedBy: Keys.self)
            var outcomes = legend.nestedUnkeyedContainer(forKey: .outcomes)
            for outcome in Outcome.allCases {
                try outcomes.encode(["id": outcome.rawValue, "label": outcome.label, "tone": outcome.tone.rawValue])
            }
            var flags = legend.nestedUnkeyedContainer(forKey: .flags)
            for flag in ReportFlag.allCases {
                try flags.encode(["id": flag.rawValue, "label": flag.label, "explanation": flag.explanation])
            }
        }
    }

    /// The run's facts and the figures over all its items.
    private struct RunBox: Encodable {
        let run: ReportRun
        let summary: ReportSummary
        let document: ReportDocument

        func encode(to encoder: any Encoder) throws {
            var runBox = encoder.container(keyedBy: Keys.self)
            try runBox.encode(run.id, forKey: .id)
            try runBox.encode(run.kind, forKey: .kind)
            try runBox.encode(run.startedAt, forKey: .startedAt)
            try document.put(run.endedAt, .endedAt, in: &runBox)
            try document.put(
                run.duration.flatMap { ReportDocument.finite($0, places: 3) }, .durationSeconds, in: &runBox)
            try document.put(
                run.throughput(itemCount: summary.count).flatMap { ReportDocument.finite($0, places: 2) },
                .throughputItemsPerSecond, in: &runBox)
            var policy = runBox.nestedContainer(keyedBy: Keys.self, forKey: .policy)
            try policy.encode(run.policyVerdict, forKey: .verdict)
            try policy.encode(run.policyExplanation, forKey: .explanation)
            try document.put(run.policyAllowsUploads, .allowsUploads, in: &policy)
            try runBox.encode(run.arguments, forKey: .arguments)
            try document.put(run.tenant, .tenant, in: &runBox)
            try document.put(run.graphHost, .graphHost, in: &runBox)
            try document.put(run.restoresRun, .restoresRun, in: &runBox)
            try runBox.encode(summary.count, forKey: .itemCount)
            try runBox.encode(
                Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0.rawValue, summary.outcomes[$0] ?? 0) }),
                forKey: .counts)
            try runBox.encode(
                Dictionary(uniqueKeysWithValues: ReportFlag.allCases.map { ($0.rawValue, summary.flags[$0] ?? 0) }),
                forKey: .flagCounts)
        }
    }

    /// One page of items, as a JSON array.
    private struct ItemList: Encodable {
        let items: [ReportItem]
        let document: ReportDocument

        func encode(to encoder: any Encoder) throws {
            var list = encoder.unkeyedContainer()
            for item in items {
                var box = list.nestedContainer(keyedBy: Keys.self)
                try document.encode(item, into: &box)
            }
        }
    }

    fileprivate func encode(_ item: ReportItem, into box: inout KeyedEncodingContainer<Keys>) throws {
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
        try put(item.previous?.hadPhoto, .hadPhoto, in: &box)
        try put(item.previous?.bytes, .previousBytes, in: &box)
        try encodeFraming(of: photo, into: &box)
        switch mode {
        case .file(let previews):
            if previews {
                try put(item.sourcePreview.map { Data($0).base64EncodedString() }, .sourcePreview, in: &box)
                try put(item.outputPreview.map { Data($0).base64EncodedString() }, .outputPreview, in: &box)
                try put(item.previousPreview.map { Data($0).base64EncodedString() }, .previousPreview, in: &box)
            }
        case .html:
            try box.encode(item.title, forKey: .title)
        }
    }

    /// Face framing's facts: `faceCount` and `faceBox` (upright full-resolution pixels) in report.json; in the HTML
    /// data block also `faceMark`, the box as shares of the upright picture, for the mark on the original's thumbnail.
    private func encodeFraming(of photo: PhotoFacts, into box: inout KeyedEncodingContainer<Keys>) throws {
        try put(photo.framing?.faceCount, .faceCount, in: &box)
        let face = photo.framing?.face
        if let face {
            var rect = box.nestedContainer(keyedBy: Keys.self, forKey: .faceBox)
            for (value, key) in [(face.x, Keys.x), (face.y, .y), (face.width, .width), (face.height, .height)] {
                try rect.encode(Self.finite(value, places: 1) ?? 0, forKey: key)
            }
        } else if case .file = mode {
            try box.encodeNil(forKey: .faceBox)
        }
        guard case .html = mode, let face, let width = photo.sourceWidth, let height = photo.sourceHeight,
            width > 0, height > 0
        else { return }
        let sideways = (photo.orientation ?? 1) >= 5  // EXIF 5-8 swap the stored sides
        let uprightWidth = Double(sideways ? height : width), uprightHeight = Double(sideways ? width : height)
        let shares = [
            face.x / uprightWidth, face.y / uprightHeight, face.width / uprightWidth, face.height / uprightHeight,
        ]
        try box.encode(shares.map { Self.finite($0, places: 4) ?? 0 }, forKey: .faceMark)
    }

    /// Writes `value`, or `null` in report.json / nothing in the HTML data block when it is nil.
    fileprivate func put<Value: Encodable>(
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
}
