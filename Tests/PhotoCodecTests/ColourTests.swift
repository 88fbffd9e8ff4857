import Foundation
import PhotoCodecTestSupport
import Testing

@testable import PhotoCodec

/// Colour management: embedded profiles become sRGB through Little CMS; references come from lcms2's own tools.
@Suite struct ColourTests {
    /// A saturated picture as stored in a Display P3 file, its profile, and the JPEG of it without the profile.
    struct P3Fixture {
        let picture = Support.saturated(width: 96, height: 64)
        let profile: [UInt8]
        let plainJpeg: [UInt8]
        let taggedJpeg: [UInt8]

        init() throws {
            profile = try FixtureEncoder.displayP3Profile()
            plainJpeg = try FixtureEncoder.jpeg(picture.pixels, width: 96, height: 64, components: 3, quality: 95)
            taggedJpeg = Support.withICC(plainJpeg, profile)
        }
    }

    @Test func displayP3JpegMatchesTheLcmsReferenceAndNotTheUnmanagedPixels() throws {
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let fixture = try P3Fixture()
        // The unmanaged pixels are the same file's decode without its profile (one libjpeg decode for both).
        let unmanaged = try PhotoCodec.decode(fixture.plainJpeg)
        guard let reference = try Support.transicc(unmanaged, profile: fixture.profile, in: folder) else {
            print("SKIP: transicc (liblcms2-utils) is not installed: Display P3 reference test skipped")
            return
        }
        let managed = try PhotoCodec.decode(fixture.taggedJpeg)
        let error = Support.meanDifference(managed, reference)
        let apart = Support.meanDifference(managed, unmanaged)
        print("colour: Display P3 JPEG, mean difference \(error) from transicc's sRGB, \(apart) from unmanaged")
        #expect(error <= 1.0, "within 1.0 of lcms2's own conversion: \(error)")
        #expect(apart >= 4 * max(error, 1), "clearly apart from the unmanaged pixels: \(apart) vs \(error)")
        // Through the whole conversion the output stays near the reference too (resampled the same way).
        var options = ConvertOptions()
        options.crop = .none
        let photo = try PhotoCodec.convert(fixture.taggedJpeg, options: options)
        #expect(photo.warning == nil)
        let output = try PhotoCodec.decode(photo.jpeg)
        let referenceJpeg = try PhotoCodec.encodeJPEG(reference, quality: 95)
        let referenceOutput = try PhotoCodec.decode(try PhotoCodec.convert(referenceJpeg, options: options).jpeg)
        #expect(Support.meanDifference(output, referenceOutput) < 2.5)
    }

    @Test func pngWebPAndHeifProfilesAreConvertedToo() throws {
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let fixture = try P3Fixture()
        let picture = fixture.picture
        guard let reference = try Support.transicc(picture, profile: fixture.profile, in: folder) else {
            print("SKIP: transicc (liblcms2-utils) is not installed: PNG/WebP/HEIF profile test skipped")
            return
        }
        let png = try FixtureEncoder.png(picture.pixels, width: 96, height: 64, color: .rgb, icc: fixture.profile)
        let webp = try FixtureEncoder.webp(
            picture.pixels, width: 96, height: 64, channels: 3, lossless: true, icc: fixture.profile)
        let heic = try FixtureEncoder.heif(picture, quality: 95, icc: fixture.profile)
        // Lossless containers: the 8-bit transform's rounding only. HEIC: plus HEVC's own loss at q95 (about 3 on
        // these saturated ramps, measured against its own profile-less decode).
        for (name, bytes, bound) in [("png", png, 1.0), ("webp", webp, 1.0), ("heif", heic, 5.0)] {
            let decoded = try PhotoCodec.decode(bytes)
            #expect(Support.meanDifference(decoded, reference) <= bound, "\(name)")
            #expect(Support.meanDifference(decoded, picture) > 4, "\(name) was converted")
        }
    }

    @Test func cmykJpegWithItsProfileMatchesJpgicc() throws {
        guard Corpus.exists, let jpgicc = Support.tool("jpgicc") else {
            print("SKIP: ../shared/corpus or jpgicc (liblcms2-utils) is absent: CMYK profile reference skipped")
            return
        }
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let source = Corpus.path("jpeg/Channel_digital_image_CMYK_color.jpg")
        let out = folder.appendingPathComponent("reference.jpg").path
        let (status, _) = try Support.run(jpgicc, ["-t0", "-q100", source, out])
        #expect(status == 0)
        let reference = try PhotoCodec.decode(contentsOf: out)
        let managed = try PhotoCodec.decode(contentsOf: source)
        let naive = try PhotoCodec.decode(
            contentsOf: Corpus.path("jpeg/Channel_digital_image_CMYK_color_no_profile.jpg"))
        // The reference went through one more JPEG encode (q100, 4:2:0): about 1 of difference from that alone.
        let error = Support.meanDifference(managed, reference)
        #expect(error < 2.0, "\(error)")
        #expect(Support.meanDifference(naive, reference) > error + 3, "the profile changes the result")
    }

    @Test func brokenProfileIsAWarningAndTheImageIsShownAsSRGB() throws {
        let fixture = try P3Fixture()
        var garbage = Array(fixture.profile.prefix(200))
        garbage[40] ^= 0xFF  // a profile cut short, its header damaged
        let broken = Support.withICC(fixture.plainJpeg, garbage)
        let photo = try PhotoCodec.convert(broken)
        let warning = try #require(photo.warning)
        #expect(warning.contains("colour profile") && warning.contains("srgb"), "\(warning)")
        #expect(photo.jpeg == (try PhotoCodec.convert(fixture.plainJpeg).jpeg), "pixels as without a profile")
    }

    @Test func srgbProfileChangesNothing() throws {
        let fixture = try P3Fixture()
        let srgb = try FixtureEncoder.rgbProfile(primaries: [0.64, 0.33, 0.30, 0.60, 0.15, 0.06])
        let tagged = Support.withICC(fixture.plainJpeg, srgb)
        let photo = try PhotoCodec.convert(tagged)
        #expect(photo.warning == nil)
        #expect(photo.jpeg == (try PhotoCodec.convert(fixture.plainJpeg).jpeg))
    }

    @Test func outputCarriesNoProfile() throws {
        let photo = try PhotoCodec.convert(try P3Fixture().taggedJpeg)
        #expect(!Support.markers(photo.jpeg).contains(0xE2), "no APP2: sRGB by definition")
    }
}
