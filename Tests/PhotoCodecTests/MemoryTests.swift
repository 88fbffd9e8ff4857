import Foundation
import PhotoCodecTestSupport
import Testing

@testable import PhotoCodec

/// The memory budget: judged from the header before decoding, measured as the peak RSS of one conversion in a fresh
/// process (`photocodec-probe`), minus the same process converting a tiny image (the Swift runtime's own share).
@Suite(.serialized) struct MemoryTests {
    /// What one probe run reported.
    struct Probe {
        let outcome: String
        let maxRSS: Int  // bytes
    }

    static var probe: URL {
        for folder in [
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        ] {
            let path = folder.appendingPathComponent("photocodec-probe")
            if FileManager.default.isExecutableFile(atPath: path.path) { return path }
        }
        return Bundle.main.bundleURL.appendingPathComponent("photocodec-probe")
    }

    static func run(_ file: String, maxMemory: Int? = nil) throws -> Probe {
        let arguments = [file] + (maxMemory.map { [String($0)] } ?? [])
        let (status, output) = try Support.run(probe.path, arguments)
        #expect(status == 0)
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        let rss = lines.last.flatMap { $0.hasPrefix("maxrss ") ? Int($0.dropFirst(7)) : nil } ?? 0
        return Probe(outcome: lines.first ?? "", maxRSS: rss * 1024)
    }

    /// A fixture of the size in `folder`.
    static func large(_ kind: FixtureEncoder.LargeKind, in folder: URL, side: Int = 9990) throws -> String {
        let path = folder.appendingPathComponent("\(kind)-\(side)").path
        try FixtureEncoder.writeLarge(kind, width: side, height: side, to: path)
        return path
    }

    /// The probe converting a 64x64 PNG: the runtime's own peak, subtracted from the others.
    static func baseline(in folder: URL) throws -> Probe { try run(try large(.png, in: folder, side: 64)) }

    static let mib = 1024 * 1024

    @Test func adam7RgbaPngOfNinetyNineNinetySquaredConvertsInLittleMemory() throws {
        // The file: a 9990x9990 Adam7 RGBA PNG took 694 MiB. Its passes now stream into the reduced image.
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let png = try Self.large(.adam7RGBA, in: folder)
        let baseline = try Self.baseline(in: folder)
        let probe = try Self.run(png)
        let cost = probe.maxRSS - baseline.maxRSS
        print(
            "memory: 9990x9990 adam7 rgba png (\(try Self.size(png)) bytes): \(probe.outcome), "
                + "\(cost / Self.mib) MiB over the runtime's \(baseline.maxRSS / Self.mib) MiB")
        #expect(probe.outcome == "ok 648x648")
        #expect(cost < 64 * Self.mib, "\(cost / Self.mib) MiB")
        // Without shrink-on-load (a full-size decode) it needs 300 MB of RGB: refused from the header, in process.
        #expect { try PhotoCodec.decode(contentsOf: png) } throws: {
            ($0 as? CodecError)?.reason == .overMemoryBudget && ($0 as? CodecError)?.file == png
        }
    }

    @Test func progressiveJpegOverTheBudgetIsRefusedBeforeDecoding() throws {
        // libjpeg must hold every coefficient of a progressive image: about 300 MiB for 9990x9990 (it took 617).
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let jpeg = try Self.large(.progressiveJPEG, in: folder)
        let baseline = try Self.baseline(in: folder)
        let refused = try Self.run(jpeg)
        print(
            "memory: 9990x9990 progressive jpeg (\(try Self.size(jpeg)) bytes), default budget: \(refused.outcome), "
                + "\((refused.maxRSS - baseline.maxRSS) / Self.mib) MiB")
        #expect(refused.outcome.hasPrefix("error overMemoryBudget jpeg needs about"))
        #expect(refused.outcome.contains("progressive") && refused.outcome.contains("256 MiB"))
        #expect(refused.maxRSS - baseline.maxRSS < 16 * Self.mib, "refused from the header")
        // A budget that fits it: the decode runs, and stays within that budget.
        let budget = 512 * Self.mib
        let allowed = try Self.run(jpeg, maxMemory: budget)
        let cost = allowed.maxRSS - baseline.maxRSS
        print("memory: the same with a 512 MiB budget: \(allowed.outcome), \(cost / Self.mib) MiB")
        #expect(allowed.outcome == "ok 648x648")
        #expect(cost < budget && cost > 200 * Self.mib, "\(cost / Self.mib) MiB")
    }

    @Test func baselineJpegOfNinetyNineNinetySquaredIsScaledWhileDecoding() throws {
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let jpeg = try Self.large(.baselineJPEG, in: folder)
        let baseline = try Self.baseline(in: folder)
        let probe = try Self.run(jpeg)
        let cost = probe.maxRSS - baseline.maxRSS
        print("memory: 9990x9990 baseline jpeg: \(probe.outcome), \(cost / Self.mib) MiB")
        #expect(probe.outcome == "ok 648x648")
        #expect(cost < 32 * Self.mib, "\(cost / Self.mib) MiB")
    }

    @Test func heifAndWebPOverTheBudgetAreRefusedBeforeDecoding() throws {
        // HEIF and WebP hold the whole picture: a 2000x1500 one does not fit 8 MiB, judged before decoding.
        var options = ConvertOptions()
        options.maxMemory = 8 * Self.mib
        let big = Support.photoLike(width: 2000, height: 1500)
        let files = [
            ("heif", try FixtureEncoder.heif(big, quality: 50)),
            ("webp", try FixtureEncoder.webp(big.pixels, width: 2000, height: 1500, channels: 3, quality: 50)),
        ]
        for (name, bytes) in files {
            #expect { try PhotoCodec.convert(bytes, options: options) } throws: {
                ($0 as? CodecError)?.reason == .overMemoryBudget && ($0 as? CodecError)?.message.contains(name) == true
            }
            #expect(try PhotoCodec.convert(bytes).width == 648, "\(name) fits the default budget")
        }
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }
}
