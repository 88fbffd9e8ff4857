import FaceDetection
import Foundation
import PhotoCodec
import PhotoCodecTestSupport
import PhotoProvisioning
import TestSupport
import Testing

/// Issue 17 through the built binary: `--crop auto` frames on the face, `--crop square` and `--crop none` keep
/// their bytes, EXIF-rotated portraits are framed upright, the same input gives the same bytes, the options are
/// checked and fingerprinted, and a dry run's report shows the framing before anything is uploaded.
///
/// Tolerances, checked by finding the face again in the output (dlib on the 648 px JPEG, so its box wanders a few
/// pixels from the one framed on): the face's centre within 5% of the side from the middle (the framing's own
/// `centreTolerance`; found again, the corpus's faces are 1.6% to 2.5% off); the eyes, estimated 31% down dlib's
/// box as the framing does, between 30% and 50% of the side from the top (ISO/IEC 19794-5's band around the
/// framing's 40%; found again, 33% to 40%); the face box inside the square.
@Suite struct FaceFramingTests {
    static let samples = PhotoprovProcess.projectRoot.appendingPathComponent("samples").path
    static let centreTolerance = 0.05
    static let eyeBand = 0.30...0.50

    private func convert(_ files: [String], _ options: [String] = [], out: String) async throws
        -> PhotoprovProcess.Output
    {
        let run = try await PhotoprovProcess.run(["convert", "--out", out] + options + files)
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        return run
    }

    private func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// A 1200x800 HEIC without a face (a drawn picture), written into `batch`; its path.
    private func landscapeHEIC(in batch: Batch) throws -> String {
        let heic = batch.path("landscape.heic")
        try Data(try FixtureEncoder.heif(PhotoFixtures.picture(width: 1200, height: 800))).write(
            to: URL(fileURLWithPath: heic))
        return heic
    }

    @Test func squareAndNoneKeepTheirBytesAndAPictureWithoutAFaceGetsTheSquare() async throws {
        let batch = try await Batch.make(count: 0)
        let heic = try landscapeHEIC(in: batch)
        let faces = [
            "adele-vance.jpg", "alex-wilber.jpg", "diego-siciliani-exif6.jpg", "johanna-lorenz-transparent.png",
        ]
        .map { Self.samples + "/" + $0 }
        var withoutFaces = [heic]
        if PhotoFixtures.corpusExists {
            withoutFaces += ["photos/coffee.png", "faces/two_people.jpg"].map(PhotoFixtures.corpusPath)
        } else {
            print("SKIP: ../shared/corpus is absent: its group photo and non-portrait are not checked")
        }
        let files = faces + withoutFaces
        for crop in ConvertOptions.Crop.allCases {
            let out = batch.path(crop.rawValue)
            _ = try await convert(files, ["--crop", crop.rawValue], out: out)
            for file in files {
                let expected = try PhotoFixtures.convert(try bytes(file), options: ConvertOptions(crop: crop)).jpeg
                #expect(try bytes(PhotoFixtures.output(of: file, in: out)) == expected, "--crop \(crop): \(file)")
            }
        }
        let auto = batch.path("auto")
        let run = try await convert(files, out: auto)
        let flags = PhotoFixtures.flags(in: run.stderr)
        for file in withoutFaces {
            #expect(flags[file]?.isDisjoint(with: ["no-face", "several-faces"]) == false, "\(file): \(run.stderr)")
            #expect(
                try bytes(PhotoFixtures.output(of: file, in: auto))
                    == (try bytes(PhotoFixtures.output(of: file, in: batch.path("square")))), "\(file)")
        }
        for file in faces {
            #expect(flags[file] == nil, "\(file) is framed on its face: \(run.stderr)")
            // A square picture whose face wants more than the whole of it is framed by the whole: the same square.
            guard !file.hasSuffix("johanna-lorenz-transparent.png") else { continue }
            #expect(
                try bytes(PhotoFixtures.output(of: file, in: auto))
                    != (try bytes(PhotoFixtures.output(of: file, in: batch.path("square")))), "\(file)")
        }
    }

    @Test func everyDemoPortraitIsFramedOnItsFace() async throws {
        // scripts/demo shows face framing: every drawn sample holds a face the detector finds, but the 32 px one.
        let batch = try await Batch.make(count: 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.samples)
            .filter { ($0.hasSuffix(".jpg") || $0.hasSuffix(".png")) && !$0.contains("truncated") }.sorted()
            .map { Self.samples + "/" + $0 }
        #expect(files.count == 14)
        let run = try await convert(files, out: batch.path("auto"))
        #expect(PhotoFixtures.flags(in: run.stderr) == [Self.samples + "/lynne-robbins-tiny.jpg": ["no-face"]])
    }

    @Test func corpusPortraitsAreFramedOnTheirFaceThroughConvert() async throws {
        guard PhotoFixtures.corpusExists else { return print("SKIP: ../shared/corpus is absent") }
        let batch = try await Batch.make(count: 0)
        let portraits = PhotoFixtures.singleFaces.map(PhotoFixtures.corpusPath)
        var others = PhotoFixtures.nonPortraits.map(PhotoFixtures.corpusPath)
        let large = PhotoprovProcess.projectRoot.appendingPathComponent(".bench-corpus")
        if FileManager.default.fileExists(atPath: large.appendingPathComponent(".complete").path) {
            others += try FileManager.default.contentsOfDirectory(atPath: large.path).filter { $0.hasSuffix(".jpg") }
                .sorted().map { large.appendingPathComponent($0).path }
        } else {
            print("SKIP: no .bench-corpus/ (scripts/bench-codec makes it): the large non-portraits are not checked")
        }
        let group = PhotoFixtures.corpusPath("faces/two_people.jpg")
        let out = batch.path("auto")
        let run = try await convert(portraits + [group] + others, ["--jobs", "2"], out: out)
        let flags = PhotoFixtures.flags(in: run.stderr)

        for (name, file) in zip(PhotoFixtures.singleFaces, portraits) {
            let expected: Set<String>? = PhotoFixtures.faceAtEdge.contains(name) ? ["face-at-edge"] : nil
            #expect(flags[file] == expected, "\(name): \(flags[file] ?? [])")
            let output = PhotoFixtures.output(of: file, in: out)
            let (size, faces) = try PhotoFixtures.faces(inJPEG: output)
            #expect(size.width == size.height, "\(name): \(size)")
            let face = try #require(faces.first, "\(name): no face in the output")
            let side = Double(size.width)
            let visible = face.box.clipped(to: size)
            #expect(visible.width > 0.9 * face.box.width || name.contains("partial"), "\(name): face cut")
            guard expected == nil else { continue }
            let offCentre = abs(face.box.midX - side / 2) / side
            let eyes = face.eyeLineY / side
            #expect(offCentre <= Self.centreTolerance, "\(name): the face is \(offCentre) of the side off centre")
            #expect(Self.eyeBand.contains(eyes), "\(name): the eyes are \(eyes) of the side below the top")
            #expect(face.box.y >= -0.02 * side && face.box.maxY <= 1.02 * side, "\(name): \(face.box) in \(size)")
        }

        #expect(flags[group] == ["several-faces"], "\(run.stderr)")
        let square = batch.path("square")
        _ = try await convert([group], ["--crop", "square"], out: square)
        #expect(
            try bytes(PhotoFixtures.output(of: group, in: out)) == bytes(PhotoFixtures.output(of: group, in: square)))

        let falseFaces = others.filter { flags[$0] != ["no-face"] }
        #expect(falseFaces.count <= 1, "framed on a false face: \(falseFaces)")
    }

    @Test(arguments: [3, 6, 8])
    func anExifRotatedPortraitIsFramedOnTheUprightPicture(orientation: Int) async throws {
        let batch = try await Batch.make(count: 0)
        var portraits = [Self.samples + "/adele-vance.jpg"]
        if PhotoFixtures.corpusExists {
            portraits.append(PhotoFixtures.corpusPath("faces/obama.jpg"))
        } else {
            print("SKIP: ../shared/corpus is absent: only the drawn portrait is turned")
        }
        var files: [(upright: String, turned: String)] = []
        for (index, portrait) in portraits.enumerated() {
            let upright = try PhotoFixtures.decode(file: portrait)
            let stored = FixtureImage.stored(upright, orientation: orientation)
            let uprightPath = batch.path("upright\(index).png"), turnedPath = batch.path("turned\(index).png")
            try Data(try FixtureEncoder.png(upright.pixels, width: upright.width, height: upright.height, color: .rgb))
                .write(to: URL(fileURLWithPath: uprightPath))
            try Data(
                try FixtureEncoder.png(
                    stored.pixels, width: stored.width, height: stored.height, color: .rgb,
                    exif: FixtureImage.exifTIFF(orientation: orientation))
            ).write(to: URL(fileURLWithPath: turnedPath))
            files.append((uprightPath, turnedPath))
        }
        let out = batch.path("auto")
        let run = try await convert(files.flatMap { [$0.upright, $0.turned] }, out: out)
        #expect(PhotoFixtures.flags(in: run.stderr).isEmpty, "every one framed on its face: \(run.stderr)")
        let square = batch.path("square")
        _ = try await convert(files.map(\.turned), ["--crop", "square"], out: square)
        for (upright, turned) in files {
            let framedUpright = try PhotoFixtures.decode(file: PhotoFixtures.output(of: upright, in: out))
            let framedTurned = try PhotoFixtures.decode(file: PhotoFixtures.output(of: turned, in: out))
            let fixed = try PhotoFixtures.decode(file: PhotoFixtures.output(of: turned, in: square))
            // The same square of the same upright picture: the pixels differ only by the resampler's rounding.
            #expect(framedTurned.width == framedUpright.width && framedTurned.height == framedUpright.height)
            #expect(PhotoFixtures.meanDifference(framedTurned, framedUpright) < 1.0, "\(turned)")
            #expect(PhotoFixtures.meanDifference(framedTurned, fixed) > 5, "\(turned): framed as --crop square")
        }
    }

    @Test func theSameInputGivesTheSameBytesFromConvertAndUpload() async throws {
        let batch = try await Batch.make(count: 0)
        var files = ["adele-vance.jpg", "grady-archie-exif3.jpg", "lee-gu-grayscale.jpg"].map {
            Self.samples + "/" + $0
        }
        if PhotoFixtures.corpusExists {
            files += ["faces/obama.jpg", "faces/rose_leslie.jpg"].map(PhotoFixtures.corpusPath)
        } else {
            print("SKIP: ../shared/corpus is absent: only the drawn portraits are checked")
        }
        let first = batch.path("first"), second = batch.path("second")
        _ = try await convert(files, ["--jobs", "1"], out: first)
        _ = try await convert(files, ["--jobs", "2"], out: second)
        var rows = ["upn,photo"]
        for (index, file) in files.enumerated() {
            let output = PhotoFixtures.output(of: file, in: first)
            #expect(try bytes(output) == bytes(PhotoFixtures.output(of: file, in: second)), "\(file)")
            rows.append("person\(index)@contoso.example,\(file)")
        }
        try batch.write("people.csv", rows.joined(separator: "\n") + "\n")
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let run = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--allow-outside"],
            environment: emulator.environment)
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        for (index, file) in files.enumerated() {
            let held = try await emulator.user("person\(index)@contoso.example")["sha256"] as? String
            #expect(held == (try PhotoFixtures.sha256(PhotoFixtures.output(of: file, in: first))), "\(file)")
        }
    }

    @Test func framingOptionsAreCheckedAndPartOfTheFingerprint() async throws {
        let batch = try await Batch.make(count: 1)
        let photo = Self.samples + "/adele-vance.jpg"
        for (arguments, words) in [
            (["--face-share", "0.05"], "--face-share must be a number from 0.1 to 0.9"),
            (["--eye-line", "0.7"], "--eye-line must be a number from 0.2 to 0.6"),
            (["--centre-tolerance", "x"], "--centre-tolerance must be a number"),
            (["--min-crop-side", "-1"], "--min-crop-side must be a whole number"),
            (["--crop", "square", "--face-share", "0.5"], "--face-share only applies to --crop auto"),
            (["--crop", "sideways"], "--crop must be one of auto, square, none"),
        ] {
            let run = try await PhotoprovProcess.run(["convert", "--out", batch.path("x")] + arguments + [photo])
            #expect(run.status == 2 && run.stderr.contains(words), "\(arguments): \(run.stderr)")
        }
        let loose = batch.path("loose"), tight = batch.path("tight")
        _ = try await convert([photo], out: loose)
        _ = try await convert([photo], ["--face-share", "0.6"], out: tight)
        // Found again in the outputs, dlib's box is within a step of its pyramid (a fifth) of the share asked for.
        var shares: [Double] = []
        for folder in [loose, tight] {
            let (size, faces) = try PhotoFixtures.faces(inJPEG: PhotoFixtures.output(of: photo, in: folder))
            shares.append(try #require(faces.first).box.width / Double(size.width))
        }
        #expect(abs(shares[0] - 0.4) < 0.4 * 0.2 && abs(shares[1] - 0.6) < 0.6 * 0.2, "face shares \(shares)")
        #expect(
            try bytes(PhotoFixtures.output(of: photo, in: loose)) != bytes(PhotoFixtures.output(of: photo, in: tight)))

        let upload = ["upload", "--csv", batch.csv, "--journal", batch.journal, "--dry-run", "--offline"]
        #expect(try await PhotoprovProcess.run(upload).status == 0)
        #expect(try await PhotoprovProcess.run(upload + ["--face-share", "0.6"]).status == 0)
        #expect(try await PhotoprovProcess.run(upload + ["--eye-tolerance", "0.2"]).status == 0)
        let journal = try await batch.openJournal()
        var fingerprints: [String] = []
        for run in Int64(1)...3 { fingerprints.append(try await journal.items(run: run).first?.fingerprint ?? "") }
        #expect(
            fingerprints[0].contains("crop=auto") && fingerprints[0].contains("faces=share0.400"), "\(fingerprints)")
        #expect(fingerprints[1].contains("faces=share0.600"), "another share frames otherwise: \(fingerprints)")
        #expect(fingerprints[2] == fingerprints[0], "tolerances change flags, not bytes: \(fingerprints)")
        let square = try await PhotoprovProcess.run(upload + ["--crop", "square"])
        #expect(square.status == 0)
        #expect(try await journal.items(run: 4).first?.fingerprint?.contains("crop=square;") == true)
        // Group and team photos are framed by the fixed rule unless --crop auto is asked for.
        try batch.write("groups.csv", "id,photo\n4f1c1b5e-8f0b-4c47-9a4e-2f6d3c1a0b9e,\(photo)\n")
        let groups = [
            "upload", "--csv", batch.path("groups.csv"), "--target", "groups", "--journal", batch.journal,
            "--dry-run", "--offline", "--allow-outside",
        ]
        #expect(try await PhotoprovProcess.run(groups).status == 0)
        #expect(try await PhotoprovProcess.run(groups + ["--crop", "auto"]).status == 0)
        let group = try await journal.items(run: 5).first, asked = try await journal.items(run: 6).first
        #expect(group?.fingerprint?.contains("crop=square;") == true && group?.photo.framing == nil, "\(group as Any)")
        #expect(asked?.fingerprint?.contains("crop=auto;") == true && asked?.photo.framing?.faceCount == 1)
    }

    @Test func theSquareIsNeverSmallerThanTheOutputUnlessAsked() async throws {
        guard PhotoFixtures.corpusExists else { return print("SKIP: ../shared/corpus is absent") }
        // The 512 px astronaut: framed at 40% the square would be about 230 px, upscaled to nothing (never) and
        // softer than the fixed rule's 512; with the floor it keeps 512 and is flagged for a look.
        let batch = try await Batch.make(count: 0)
        let astronaut = PhotoFixtures.corpusPath("photos/astronaut.png")
        let floor = batch.path("floor"), none = batch.path("none")
        let withFloor = try await convert([astronaut], out: floor)
        let without = try await convert([astronaut], ["--min-crop-side", "0"], out: none)
        let kept = try PhotoFixtures.decode(file: PhotoFixtures.output(of: astronaut, in: floor))
        let tight = try PhotoFixtures.decode(file: PhotoFixtures.output(of: astronaut, in: none))
        #expect(kept.width == 512 && kept.height == 512)
        #expect(PhotoFixtures.flags(in: withFloor.stderr)[astronaut] == ["face-at-edge"], "\(withFloor.stderr)")
        #expect(tight.width == tight.height && tight.width < 300, "\(tight.width)")
        #expect(PhotoFixtures.flags(in: without.stderr)[astronaut] == nil, "\(without.stderr)")
    }

    @Test func aDryRunReportShowsTheFramingBeforeAnythingIsUploaded() async throws {
        let batch = try await Batch.make(count: 0)
        _ = try landscapeHEIC(in: batch)  // the CSV names it relative to itself
        var rows = [
            "upn,photo,name", "adele.vance@contoso.example,\(Self.samples)/adele-vance.jpg,Adele Vance",
            "lynne.robbins@contoso.example,\(Self.samples)/lynne-robbins-tiny.jpg,Lynne Robbins",
            "nobody@contoso.example,landscape.heic,No Body",
        ]
        if PhotoFixtures.corpusExists {
            rows.append("two@contoso.example,\(PhotoFixtures.corpusPath("faces/two_people.jpg")),Two People")
        } else {
            print("SKIP: ../shared/corpus is absent: several-faces is not shown")
        }
        try batch.write("people.csv", rows.joined(separator: "\n") + "\n")
        let report = batch.path("report")
        let run = try await PhotoprovProcess.run(
            [
                "upload", "--csv", batch.csv, "--journal", batch.journal, "--dry-run", "--offline", "--allow-outside",
                "--report", report,
            ])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")

        let document = try PhotoFixtures.json(report + "/report.json")
        let items = try PhotoFixtures.reportItems(report)
        let byKey = Dictionary(uniqueKeysWithValues: items.map { ($0["key"] as? String ?? "", $0) })
        let adele = try #require(byKey["adele.vance@contoso.example"])
        #expect(adele["faceCount"] as? Int == 1 && (adele["flags"] as? [String]) == [])
        // The drawn face is an oval 460 px wide centred at (600, 672) of the 1200x1600 picture.
        let box = try #require(adele["faceBox"] as? [String: Double])
        #expect(abs(box["x"]! + box["width"]! / 2 - 600) < 30 && abs(box["width"]! - 460) < 120, "\(box)")
        #expect(box["y"]! > 672 - 400 && box["y"]! + box["height"]! < 672 + 400, "\(box)")
        for key in ["lynne.robbins@contoso.example", "nobody@contoso.example"] {
            let item = try #require(byKey[key])
            #expect((item["flags"] as? [String])?.first == "no-face", "\(key): \(item["flags"] ?? "")")
            #expect(item["faceCount"] as? Int == 0 && item["faceBox"] is NSNull, "\(key)")
        }
        let flagCounts = (document["run"] as? [String: Any])?["flagCounts"] as? [String: Int] ?? [:]
        #expect(flagCounts["no-face"] == 2 && flagCounts["face-at-edge"] == 0, "\(flagCounts)")
        if PhotoFixtures.corpusExists {
            let two = try #require(byKey["two@contoso.example"])
            #expect((two["flags"] as? [String])?.first == "several-faces" && two["faceCount"] as? Int == 2, "\(two)")
            #expect(flagCounts["several-faces"] == 1)
        }

        let html = try String(contentsOfFile: report + "/report.html", encoding: .utf8)
        #expect(html.contains("Worth a look:"))
        #expect(html.contains(">No face 2</span>"), "the summary counts the framing flags")
        #expect(html.contains("\"faceMark\":["), "the face is marked on the original's thumbnail")
        let csv = try String(contentsOfFile: report + "/report.csv", encoding: .utf8)
        let lines = csv.split(separator: "\r\n")
        #expect(
            lines.first?.hasSuffix(",contactFolder,hadPhoto,previousBytes,faceCount,faceX,faceY,faceWidth,faceHeight")
                == true)
        let adeleRow = try #require(lines.first { $0.contains("adele.vance@") })
        #expect(adeleRow.split(separator: ",", omittingEmptySubsequences: false).suffix(5).allSatisfy { !$0.isEmpty })

        let stored = try await batch.openJournal().items(run: 1)
        let framing = try #require(stored.first { $0.key == "adele.vance@contoso.example" }?.photo.framing)
        #expect(framing.face.map { abs($0.x - box["x"]!) < 0.1 } == true, "the journal holds the report's box")
        #expect(stored.allSatisfy { $0.state == .wouldUpload }, "nothing uploaded: \(stored.map(\.state))")
    }
}
