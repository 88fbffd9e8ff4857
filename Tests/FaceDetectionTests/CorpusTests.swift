import FaceDetection
import Foundation
import PhotoCodec
import PhotoCodecTestSupport
import Testing

/// Detection and framing on the real photos of ../shared/corpus, decoded upright at full size by the codec's
/// public API (the detector shrinks them to 512 px itself, as it will the codec's small copy).
///
/// Tolerances: the face box's centre within 5% of the side from the square's centre (the framing's
/// `centreTolerance`); the real eyes (dlib's landmark model, where installed) between 30% and 50% of the side below
/// the top: the ISO/IEC 19794-5 / ICAO 9303 band around the framing's 40%.
@Suite struct CorpusTests {
    static let centreTolerance = 0.05
    static let eyeBand = 0.30...0.50

    static func framing(_ name: String) throws -> (picture: SmallImage, framing: Framing) {
        let picture = try Support.decode(Corpus.path(name))
        let faces = try Support.detector.detect(in: picture)
        return (picture, Framing.frame(picture: picture.size, faces: faces))
    }

    @Test(arguments: Corpus.singleFaces)
    func framesTheOneFaceWholeCentredWithTheEyesInTheBand(name: String) throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        let (picture, framing) = try Self.framing(name)
        let face = try #require(framing.face, "\(name): no face framed, flags \(framing.flags.names)")
        let square = framing.square, side = Double(square.side)
        let expectedFlags: FramingFlags = Corpus.faceAtEdge.contains(name) ? .faceAtEdge : []
        #expect(framing.flags == expectedFlags, "\(name): flags \(framing.flags.names)")

        #expect(square.x >= 0 && square.y >= 0, "\(name): \(square)")
        #expect(square.x + square.side <= picture.width && square.y + square.side <= picture.height, "\(name)")
        let visible = face.box.clipped(to: picture.size)
        #expect(Double(square.x) <= visible.x && visible.maxX <= Double(square.x + square.side), "\(name): face cut")
        #expect(Double(square.y) <= visible.y && visible.maxY <= Double(square.y + square.side), "\(name): face cut")
        guard expectedFlags.isEmpty else { return }

        let offCentre = abs(face.box.midX - (Double(square.x) + side / 2)) / side
        #expect(offCentre <= Self.centreTolerance, "\(name): face centre \(offCentre) of the side off")
        guard let landmarks = Support.landmarkDetector else {
            return print("SKIP: dlib's landmark model is not installed: real eye heights of \(name) not checked")
        }
        let measured = try #require(try landmarks.detect(in: picture).first?.eyes, "\(name): no eyes")
        let eyeLine = ((measured.left.y + measured.right.y) / 2 - Double(square.y)) / side
        #expect(Self.eyeBand.contains(eyeLine), "\(name): eyes \(eyeLine) of the side below the top")
    }

    @Test func withTheOutputSideAsMinimumTightPicturesAreFramedAsWellAsPossibleAndFlagged() throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        // A 648 px floor: the square is never below the output side, so nothing is upscaled, and pictures with
        // no room around the face (the 512 px astronaut, the landscape whose short side is 599) cannot be framed.
        let options = FramingOptions(minimumSide: 648)
        let flagged: Set<String> = ["faces/john1.jpeg", "faces/obama_partial_face.jpg", "photos/astronaut.png"]
        for name in Corpus.singleFaces {
            let picture = try Support.decode(Corpus.path(name))
            let faces = try Support.detector.detect(in: picture)
            let framing = Framing.frame(picture: picture.size, faces: faces, options: options)
            let face = try #require(framing.face, "\(name)")
            let shortest = min(picture.width, picture.height)
            #expect(framing.square.side == min(shortest, max(648, Int((face.box.width / 0.4).rounded()))), "\(name)")
            #expect(framing.flags == (flagged.contains(name) ? .faceAtEdge : []), "\(name): \(framing.flags.names)")
            let visible = face.box.clipped(to: picture.size), square = framing.square
            #expect(Double(square.x) <= visible.x && visible.maxX <= Double(square.x + square.side), "\(name)")
            #expect(Double(square.y) <= visible.y && visible.maxY <= Double(square.y + square.side), "\(name)")
        }
    }

    @Test func framesOnTheRealEyesWithLandmarks() throws {
        guard Corpus.exists, let landmarks = Support.landmarkDetector else {
            return print("SKIP: ../shared/corpus or dlib's landmark model is absent")
        }
        // Biden's full-length portrait has room above the head, so nothing shifts the square vertically.
        let picture = try Support.decode(Corpus.path("faces/biden.jpg"))
        let framing = Framing.frame(picture: picture.size, faces: try landmarks.detect(in: picture))
        let face = try #require(framing.face)
        #expect(face.eyes != nil)
        let eyeLine = (face.eyeLineY - Double(framing.square.y)) / Double(framing.square.side)
        #expect(abs(eyeLine - 0.40) < 0.01, "eyes at \(eyeLine)")
    }

    @Test func theTwoPersonPhotoIsFlaggedSeveralFaces() throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        let picture = try Support.decode(Corpus.path("faces/two_people.jpg"))
        let faces = try Support.detector.detect(in: picture)
        #expect(faces.count == 2)
        let framing = Framing.frame(picture: picture.size, faces: faces)
        #expect(framing.flags == .severalFaces)
        #expect(framing.square == Framing.fixedSquare(picture: picture.size))
    }

    @Test func nonPortraitsHaveNoFaceWithAtMostOneFalseFaceInAll() throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        var paths = Corpus.nonPortraits.map(Corpus.path)
        if let large = Corpus.largeNonPortraits {
            paths += large
        } else {
            print("SKIP: no .bench-corpus/ (scripts/bench-faces makes it): the large non-portraits not checked")
        }
        var falseFaces: [String] = []
        for path in paths {
            let picture = try Support.decode(path)
            let faces = try Support.detector.detect(in: picture)
            falseFaces += faces.map { "\(path): \($0.box)" }
            let framing = Framing.frame(picture: picture.size, faces: faces)
            if faces.isEmpty {
                #expect(framing.flags == .noFace, "\(path)")
                #expect(framing.square == Framing.fixedSquare(picture: picture.size), "\(path)")
            }
        }
        #expect(falseFaces.count <= 1, "false faces: \(falseFaces)")
    }

    @Test(arguments: [3, 6, 8])
    func anExifRotatedPortraitIsFramedOnTheUprightPicture(orientation: Int) throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        let upright = try Support.decode(Corpus.path("faces/obama.jpg"))
        let stored = Support.stored(upright, orientation: orientation)
        let png = try FixtureEncoder.png(
            stored.rgb, width: stored.width, height: stored.height, color: .rgb,
            exif: Support.exifTIFF(orientation: orientation))
        let decoded = Support.small(try PhotoCodec.decode(png))
        #expect(decoded == upright, "the codec turns it upright")

        let expected = Framing.frame(picture: upright.size, faces: try Support.detector.detect(in: upright))
        let framing = Framing.frame(picture: decoded.size, faces: try Support.detector.detect(in: decoded))
        #expect(framing == expected)
        #expect(framing.flags.isEmpty)
        // The stored pixels, framed as they lie, do not give the upright framing: the test can tell them apart.
        let asStored = Framing.frame(picture: stored.size, faces: try Support.detector.detect(in: stored))
        #expect(asStored != expected)
    }

    @Test func withoutTheTiltedFiltersTheUprightPortraitsAreStillFound() throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        let untilted = try FaceDetector(tiltedFaces: false)
        #expect(!untilted.findsTiltedFaces && Support.detector.findsTiltedFaces)
        for name in Corpus.singleFaces + ["faces/two_people.jpg"] {
            let picture = try Support.decode(Corpus.path(name))
            let all = try Support.detector.detect(in: picture), upright = try untilted.detect(in: picture)
            #expect(upright.count == all.count, "\(name)")
            for (a, b) in zip(all, upright) {
                #expect(abs(a.box.midX - b.box.midX) < a.box.width / 4, "\(name): \(a.box) vs \(b.box)")
            }
        }
    }

    /// The AVX2 and FMA build of the scan (fast_detector.cpp) against the portable one: the same boxes in the same
    /// order, with and without the tilted filters, on every corpus picture; scores apart by float rounding only.
    @Test func theVectorizedScanFindsTheSameFacesAsThePortableOne() throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        for tilted in [false, true] {
            let fast = try FaceDetector(tiltedFaces: tilted),
                portable = try FaceDetector(tiltedFaces: tilted, vectorized: false)
            #expect(!portable.isVectorized)
            guard fast.isVectorized else {
                return print("SKIP: this CPU has no AVX2 and FMA: only the portable scan runs")
            }
            let names = Corpus.singleFaces + ["faces/two_people.jpg"] + Corpus.nonPortraits
            var found = 0
            for path in names.map(Corpus.path) + (Corpus.largeNonPortraits ?? []) {
                let picture = try Support.decode(path)
                let a = try fast.detect(in: picture), b = try portable.detect(in: picture)
                #expect(a.map(\.box) == b.map(\.box), "\(path)")
                #expect(zip(a, b).allSatisfy { abs($0.confidence - $1.confidence) < 1e-5 }, "\(path)")
                found += a.count
            }
            #expect(found >= Corpus.singleFaces.count + 2, "the pictures hold faces to compare")
        }
    }

    @Test func theSameInputGivesTheSameResult() throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        let picture = try Support.decode(Corpus.path("faces/rose_leslie.jpg"))
        let first = try Support.detector.detect(in: picture)
        let another = try FaceDetector()
        #expect(try Support.detector.detect(in: picture) == first)
        #expect(try another.detect(in: picture) == first)
        #expect(
            Framing.frame(picture: picture.size, faces: first) == Framing.frame(picture: picture.size, faces: first))
    }

    @Test func detectorsRunConcurrentlyWithTheSameResults() async throws {
        guard Corpus.exists else { return print("SKIP: ../shared/corpus is absent") }
        let names = Corpus.singleFaces
        let pictures = try names.map { try Support.decode(Corpus.path($0)) }
        let alone = try pictures.map { try Support.detector.detect(in: $0) }
        let together = try await withThrowingTaskGroup(of: (Int, [Face]).self) { group in
            for (index, picture) in pictures.enumerated() {
                group.addTask { (index, try Self.detect(picture)) }
            }
            var found = [[Face]](repeating: [], count: pictures.count)
            for try await (index, faces) in group { found[index] = faces }
            return found
        }
        #expect(together == alone)
    }

    /// A synchronous hop: `detect` is blocking work, kept off async contexts by `noasync`.
    static func detect(_ picture: SmallImage) throws -> [Face] { try Support.detector.detect(in: picture) }
}
