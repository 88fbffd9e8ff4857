import FaceDetection
import Foundation
import PhotoCodec
import PhotoCodecTestSupport
import PhotoProvisioning

/// Photos for the format and framing tests: made by code, or read from ../shared/corpus when it is there.
enum PhotoFixtures {
    /// ../shared/corpus beside the project (CI has it; a user's clone may not).
    static let corpus = PhotoprovProcess.projectRoot.deletingLastPathComponent().appendingPathComponent(
        "shared/corpus")
    static var corpusExists: Bool { FileManager.default.fileExists(atPath: corpus.path) }
    static func corpusPath(_ name: String) -> String { corpus.appendingPathComponent(name).path }

    /// Portraits of one person in the corpus, and the ones whose framing is flagged `face-at-edge` with the default
    /// floor (the output side): cut by the edge, or too tight to frame loosely enough (README "Face detection").
    static let singleFaces = [
        "faces/alex_lacamoire.jpg", "faces/biden.jpg", "faces/john1.jpeg", "faces/obama.jpg",
        "faces/obama_partial_face.jpg", "faces/rose_leslie.jpg", "photos/astronaut.png",
    ]
    static let faceAtEdge: Set<String> = ["faces/obama_partial_face.jpg", "faces/john1.jpeg", "photos/astronaut.png"]
    static let nonPortraits = ["photos/camera.png", "photos/chelsea.png", "photos/coffee.png"]

    /// A smooth picture with detail and no face, different for every seed.
    static func picture(width: Int, height: Int, seed: Int = 1) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let ripple = Int(40 * sin(Double(x + seed * 13) / 23) * cos(Double(y) / 17))
                pixels[i] = UInt8(clamping: x * 200 / width + 30 + ripple)
                pixels[i + 1] = UInt8(clamping: y * 180 / height + 40 - ripple + seed * 7 % 50)
                pixels[i + 2] = UInt8(clamping: (x + y) * 150 / (width + height) + 60 + ripple / 2)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The same picture as HEIC, AVIF and WebP, named by format.
    static func formats(of image: RGBImage) throws -> [(name: String, bytes: [UInt8])] {
        [
            ("heic", try FixtureEncoder.heif(image)),
            ("avif", try FixtureEncoder.heif(image, avif: true)),
            ("webp", try FixtureEncoder.webp(image.pixels, width: image.width, height: image.height, channels: 3)),
        ]
    }

    /// A damaged ICC profile (Display P3 cut short, its header broken): the codec shows the photo as sRGB and warns.
    static func brokenProfile() throws -> [UInt8] {
        var profile = Array(try FixtureEncoder.displayP3Profile().prefix(200))
        profile[40] ^= 0xFF
        return profile
    }

    /// The codec's calls, from synchronous code (tests are async; the codec refuses to run on the cooperative pool
    /// itself, a test may block its own task).
    static func convert(_ bytes: [UInt8], options: ConvertOptions = ConvertOptions()) throws -> ConvertedPhoto {
        try PhotoCodec.convert(bytes, options: options)
    }
    static func decode(_ bytes: [UInt8]) throws -> RGBImage { try PhotoCodec.decode(bytes) }
    static func decode(file path: String) throws -> RGBImage { try PhotoCodec.decode(contentsOf: path) }

    /// The `convert` notes on stderr (`FILE: flag; flag`), as the framing flags of each file.
    static func flags(in stderr: String) -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        for line in stderr.split(separator: "\n") {
            guard let colon = line.range(of: ": ") else { continue }
            let notes = line[colon.upperBound...].components(separatedBy: "; ")
            let flags = Set(notes.filter { FaceFraming.Flag(rawValue: $0) != nil })
            if !flags.isEmpty { found[String(line[..<colon.lowerBound]), default: []].formUnion(flags) }
        }
        return found
    }

    /// The output `photoprov convert --out DIR` writes for `input`.
    static func output(of input: String, in directory: String) -> String {
        directory + "/" + ((input as NSString).lastPathComponent as NSString).deletingPathExtension + ".jpg"
    }

    /// The SHA-256 of a file, lower-case hex.
    static func sha256(_ path: String) throws -> String {
        Digest.sha256Hex(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A JSON file as a dictionary.
    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    /// The items of a report.json.
    static func reportItems(_ directory: String) throws -> [[String: Any]] {
        try json(directory + "/report.json")["items"] as? [[String: Any]] ?? []
    }

    /// The faces in a JPEG, as the pipeline's detector finds them (on a copy at most 512 px, in its pixels).
    static func faces(inJPEG path: String) throws -> (size: PixelSize, faces: [Face]) {
        let image = try PhotoCodec.decode(contentsOf: path)
        let small = SmallImage(width: image.width, height: image.height, rgb: image.pixels)
        return (small.size, try detector.detect(in: small))
    }

    static let detector: FaceDetector = try! FaceDetector(tiltedFaces: AutoFraming.defaultTiltedFaces)

    /// Mean absolute difference of two same-sized images, 0-255.
    static func meanDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "sizes differ")
        var sum = 0
        for i in a.pixels.indices { sum += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(sum) / Double(max(1, a.pixels.count))
    }
}
