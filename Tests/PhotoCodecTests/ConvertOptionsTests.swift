import Testing

@testable import PhotoCodec

@Suite struct ConvertOptionsTests {
    @Test func parsesHexColoursAndRejectsOthers() {
        #expect(RGBColor(hex: "#FF8000") == RGBColor(red: 255, green: 128, blue: 0))
        #expect(RGBColor(hex: "00ff7f")?.hex == "00ff7f")
        #expect(RGBColor(hex: "fff") == nil)
        #expect(RGBColor(hex: "gg0000") == nil)
    }

    @Test func fingerprintChangesWithEverySetting() {
        let base = ConvertOptions()
        var variants = [base]
        var other = base
        other.maxSide = 320
        variants.append(other)
        other = base
        other.crop = .none
        variants.append(other)
        other = base
        other.quality = 70
        variants.append(other)
        other = base
        other.maxBytes = 100 * 1024
        variants.append(other)
        other = base
        other.background = RGBColor(red: 0, green: 0, blue: 0)
        variants.append(other)
        #expect(Set(variants.map(\.fingerprint)).count == variants.count)
    }
}
