import FaceDetection
import Testing

/// The framing rule as a pure function: made-up faces in made-up pictures.
@Suite struct FramingTests {
    static let picture = PixelSize(width: 2000, height: 3000)

    /// A face box of `width` centred on (x, y) with dlib's square shape.
    func face(x: Double, y: Double, width: Double, eyes: Face.Eyes? = nil) -> Face {
        Face(box: PixelRect(x: x - width / 2, y: y - width / 2, width: width, height: width), eyes: eyes)
    }

    @Test(arguments: [
        (PixelSize(width: 1126, height: 661), CropSquare(x: 232, y: 0, side: 661)),
        (PixelSize(width: 577, height: 880), CropSquare(x: 0, y: 60, side: 577)),
        (PixelSize(width: 512, height: 512), CropSquare(x: 0, y: 0, side: 512)),
        (PixelSize(width: 1201, height: 600), CropSquare(x: 300, y: 0, side: 600)),
        (PixelSize(width: 600, height: 1207), CropSquare(x: 0, y: 121, side: 600)),
    ])
    func noFaceFallsBackToTheCodecsFixedRule(picture: PixelSize, expected: CropSquare) {
        // The codec: floor((w - side) / 2) across a landscape; floor((h - side) * 0.2) down a portrait.
        let framing = Framing.frame(picture: picture, faces: [])
        #expect(framing.square == expected)
        #expect(framing.flags == .noFace && framing.flags.names == ["no-face"])
        #expect(framing.face == nil)
        #expect(Framing.fixedSquare(picture: picture) == expected)
    }

    @Test func oneFaceIsFramedHeadAndShouldersWithTheEyesOnTheLine() {
        let one = face(x: 1000, y: 1200, width: 400)
        let framing = Framing.frame(picture: Self.picture, faces: [one])
        #expect(framing.flags.isEmpty)
        #expect(framing.face == one)
        #expect(framing.square.side == 1000, "face width 400 is 40% of the side")
        #expect(framing.square.x == 500, "centred on the face")
        // No landmarks: the eyes are estimated 31% down the box, at 1000 + 124 = 1124; they sit 40% down the square.
        #expect(framing.square.y == 1124 - 400)
    }

    @Test func eyeLandmarksPlaceTheSquareWhenPresent() {
        let eyes = Face.Eyes(left: PixelPoint(x: 920, y: 1150), right: PixelPoint(x: 1080, y: 1170))
        let framing = Framing.frame(picture: Self.picture, faces: [face(x: 1000, y: 1200, width: 400, eyes: eyes)])
        #expect(framing.square.y == 1160 - 400, "the eyes' mean height, 40% down")
        #expect(framing.flags.isEmpty)
    }

    @Test func optionsChangeTheShareAndTheLine() {
        let options = FramingOptions(faceShare: 0.5, eyeLine: 0.3)
        let framing = Framing.frame(
            picture: Self.picture, faces: [face(x: 1000, y: 1200, width: 400)], options: options)
        #expect(framing.square == CropSquare(x: 600, y: 1124 - 240, side: 800))
    }

    @Test func aFaceNearTheEdgeShiftsTheSquareAndIsFlagged() {
        let nearLeft = face(x: 150, y: 1200, width: 200)  // wants a 500 square from x = -100
        let framing = Framing.frame(picture: Self.picture, faces: [nearLeft])
        #expect(framing.square.side == 500, "shifted, not shrunk")
        #expect(framing.square.x == 0)
        #expect(framing.flags == .faceAtEdge && framing.flags.names == ["face-at-edge"])
        #expect(framing.face == nearLeft)
    }

    @Test func aSmallShiftWithinTheToleranceIsNotFlagged() {
        let framing = Framing.frame(picture: Self.picture, faces: [face(x: 240, y: 1200, width: 200)])  // x = -10
        #expect(framing.square.x == 0)
        #expect(framing.flags.isEmpty, "10 px of a 500 side is within 5%")
    }

    @Test func aFaceNearTheTopKeepsItsEyesInTheBandOrIsFlagged() {
        // A 200 px face wants a 500 px square with the eyes 200 px below its top; here there is less room above.
        let roomy = Framing.frame(picture: Self.picture, faces: [face(x: 1000, y: 200, width: 200)])  // eyes at 162
        #expect(roomy.square.y == 0)
        #expect(roomy.flags.isEmpty, "eyes 32% down: within 10% of the 40% line")
        let cramped = Framing.frame(picture: Self.picture, faces: [face(x: 1000, y: 150, width: 200)])  // eyes at 112
        #expect(cramped.square.y == 0)
        #expect(cramped.flags == .faceAtEdge, "eyes 22% down")
    }

    @Test func aFaceCutByTheEdgeIsFlaggedAndItsVisiblePartKept() {
        let cut = face(x: 50, y: 600, width: 300)  // a third of the box is outside
        let framing = Framing.frame(picture: PixelSize(width: 500, height: 1200), faces: [cut])
        #expect(framing.flags == .faceAtEdge)
        #expect(framing.square.side == 500, "the ideal 750 does not fit: the whole short side")
        #expect(framing.square.x == 0)
        #expect(framing.square.y <= 450 && framing.square.y + 500 >= 750, "the face box's rows are inside")
    }

    @Test func theSquareNeverShrinksBelowTheMinimumSideSoNothingIsUpscaled() {
        let tiny = face(x: 1000, y: 1000, width: 80)  // wants a 200 square
        let options = FramingOptions(minimumSide: 648)
        let framing = Framing.frame(picture: Self.picture, faces: [tiny], options: options)
        #expect(framing.square.side == 648)
        #expect(framing.square.x == 1000 - 324, "still centred")
        let eyes: Double = 960 + 0.31 * 80
        #expect(framing.square.y == Int((eyes - 0.4 * 648).rounded()))
        let smallPicture = Framing.frame(picture: PixelSize(width: 400, height: 300), faces: [tiny], options: options)
        #expect(smallPicture.square.side == 300, "never more than the short side")
    }

    @Test func aCloseUpTakesTheWholeShortSide() {
        let closeUp = face(x: 500, y: 500, width: 700)  // wants 1750
        let framing = Framing.frame(picture: PixelSize(width: 1000, height: 1400), faces: [closeUp])
        #expect(framing.square.side == 1000)
        #expect(framing.square.x == 0)
    }

    @Test func twoComparableFacesFallBackAndAreFlagged() {
        let picture = PixelSize(width: 3000, height: 2000)
        let faces = [face(x: 800, y: 700, width: 300), face(x: 2200, y: 750, width: 260)]
        let framing = Framing.frame(picture: picture, faces: faces)
        #expect(framing.flags == .severalFaces && framing.flags.names == ["several-faces"])
        #expect(framing.square == Framing.fixedSquare(picture: picture))
        #expect(framing.face == nil)
    }

    @Test func aTinyBackgroundFaceDoesNotCountAsSeveral() {
        let main = face(x: 1000, y: 1200, width: 400)
        let background = face(x: 1700, y: 600, width: 190)  // under half the main face's width
        let framing = Framing.frame(picture: Self.picture, faces: [background, main])
        #expect(framing.flags.isEmpty)
        #expect(framing.face == main)
        let strict = Framing.frame(
            picture: Self.picture, faces: [background, main], options: FramingOptions(companionShare: 0.4))
        #expect(strict.flags == .severalFaces, "a lower companionShare counts it")
    }

    @Test func theResultDoesNotDependOnTheFacesOrder() {
        let faces = [
            face(x: 300, y: 300, width: 100), face(x: 1000, y: 1200, width: 400), face(x: 1500, y: 500, width: 90),
        ]
        let first = Framing.frame(picture: Self.picture, faces: faces)
        #expect(Framing.frame(picture: Self.picture, faces: faces.reversed()) == first)
        #expect(Framing.frame(picture: Self.picture, faces: [faces[2], faces[0], faces[1]]) == first)
    }

    @Test func flagsAreNamedInAFixedOrder() {
        let all: FramingFlags = [.faceAtEdge, .noFace, .severalFaces]
        #expect(all.names == ["no-face", "several-faces", "face-at-edge"])
        #expect(FramingFlags().names.isEmpty)
    }

    @Test func facesMapFromTheDetectionCopyToThePicture() {
        let eyes = Face.Eyes(left: PixelPoint(x: 10, y: 20), right: PixelPoint(x: 30, y: 20))
        let small = Face(box: PixelRect(x: 10, y: 10, width: 50, height: 50), eyes: eyes, confidence: 1.5)
        let big = small.mapped(from: PixelSize(width: 512, height: 320), to: PixelSize(width: 2560, height: 1600))
        #expect(big.box == PixelRect(x: 50, y: 50, width: 250, height: 250))
        #expect(big.eyes?.right == PixelPoint(x: 150, y: 100))
        #expect(big.confidence == 1.5)
    }
}
