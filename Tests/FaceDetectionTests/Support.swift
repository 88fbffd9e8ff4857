import FaceDetection
import Foundation
import PhotoCodec

/// The shared corpus and, when scripts/bench-faces or bench-codec made it, the folder of large photos.
enum Corpus {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = root.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    static let largePhotos = root.appendingPathComponent(".bench-corpus")

    static var exists: Bool { FileManager.default.fileExists(atPath: folder.path) }

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Portraits of one person (corpus README): each must be framed on its face.
    static let singleFaces = [
        "faces/alex_lacamoire.jpg", "faces/biden.jpg", "faces/john1.jpeg", "faces/obama.jpg",
        "faces/obama_partial_face.jpg", "faces/rose_leslie.jpg", "photos/astronaut.png",
    ]
    /// The one whose face the picture's edge cuts.
    static let faceAtEdge: Set<String> = ["faces/obama_partial_face.jpg"]
    /// Pictures without a visible face: a cat, a cup, a man whose face the camera hides.
    static let nonPortraits = ["photos/camera.png", "photos/chelsea.png", "photos/coffee.png"]

    /// The large photos without people (Debian's wallpapers), or nil when they have not been made.
    static var largeNonPortraits: [String]? {
        guard FileManager.default.fileExists(atPath: largePhotos.appendingPathComponent(".complete").path),
            let names = try? FileManager.default.contentsOfDirectory(atPath: largePhotos.path)
        else { return nil }
        return names.filter { $0.hasSuffix(".jpg") }.sorted().map { largePhotos.appendingPathComponent($0).path }
    }
}

/// Decoding through the codec's public API (upright, full size), and the detectors the tests share.
enum Support {
    /// Loaded once: a detector is Sendable and meant to serve a whole run.
    static let detector: FaceDetector = try! FaceDetector()
    /// With dlib's landmark model, or nil where it is not installed.
    static let landmarkDetector: FaceDetector? = try? FaceDetector(landmarks: .installed)

    static func small(_ image: RGBImage) -> SmallImage {
        SmallImage(width: image.width, height: image.height, rgb: image.pixels)
    }

    static func decode(_ path: String) throws -> SmallImage { small(try PhotoCodec.decode(contentsOf: path)) }

    /// The stored pixels that EXIF orientation 3 (turned 180°), 6 (turned 90° clockwise to display) or 8 (turned
    /// 90° counter-clockwise) displays as `upright`.
    static func stored(_ upright: SmallImage, orientation: Int) -> SmallImage {
        precondition([3, 6, 8].contains(orientation), "orientation \(orientation) not made here")
        let w = upright.width, h = upright.height
        let sideways = orientation != 3
        let sw = sideways ? h : w, sh = sideways ? w : h
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let (sx, sy) =
                    orientation == 6 ? (y, w - 1 - x) : orientation == 8 ? (h - 1 - y, x) : (w - 1 - x, h - 1 - y)
                let from = (y * w + x) * 3, to = (sy * sw + sx) * 3
                rgb[to..<to + 3] = upright.rgb[from..<from + 3]
            }
        }
        return SmallImage(width: sw, height: sh, rgb: rgb)
    }

    /// Little-endian TIFF bytes (as phones write them) whose IFD0 holds only the orientation tag.
    static func exifTIFF(orientation: Int) -> [UInt8] {
        [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00]
            + [0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, UInt8(orientation), 0x00, 0x00, 0x00]
            + [0x00, 0x00, 0x00, 0x00]
    }
}
