import FaceDetection
import Foundation
import Testing

/// The detector on made-up input: what it must refuse, and what it must not see.
@Suite struct DetectorTests {
    @Test func aPlainImageHasNoFace() throws {
        let grey = SmallImage(width: 300, height: 200, rgb: [UInt8](repeating: 128, count: 300 * 200 * 3))
        #expect(try Support.detector.detect(in: grey).isEmpty)
    }

    @Test func aMissingLandmarkModelIsAClearError() {
        let path = "/nonexistent/shape_predictor_68_face_landmarks.dat"
        #expect {
            _ = try FaceDetector(landmarks: .file(path))
        } throws: { error in
            let failure = error as? FaceDetectionError
            return failure?.reason == .modelMissing && failure?.description == "landmark model \(path) not found"
        }
    }

    @Test func aFileThatIsNotALandmarkModelIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faces-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model.dat")
        try Data("not a dlib model".utf8).write(to: file)
        #expect {
            _ = try FaceDetector(landmarks: .file(file.path))
        } throws: { error in
            let failure = error as? FaceDetectionError
            return failure?.reason == .modelUnreadable
                && failure?.message.hasPrefix("landmark model \(file.path)") == true
                && failure?.message.first?.isLowercase == true
        }
    }

    @Test func theInstalledLandmarkModelIsFoundOrNamedWhenMissing() {
        do {
            let detector = try FaceDetector(landmarks: .installed)
            #expect(detector.hasLandmarks)
        } catch {
            print("SKIP: dlib's landmark model is not installed (\(error))")
            #expect(error.reason == .modelMissing)
            #expect(error.message.contains(FaceDetector.installedLandmarkPaths[0]))
        }
    }
}
