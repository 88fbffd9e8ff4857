import Testing

@testable import PhotoProvisioning

@Suite struct ByteCountTests {
    @Test(arguments: [
        ("4194304", 4_194_304), ("100KB", 102_400), ("4MB", 4_194_304), ("4mb", 4_194_304), ("1.5M", 1_572_864),
        ("512b", 512), ("64KiB", 65_536),
    ])
    func parsesSizes(text: String, bytes: Int) {
        #expect(ByteCount.parse(text) == bytes)
    }

    @Test(arguments: ["", "MB", "-1KB", "four", "1.2.3MB"])
    func rejectsMalformedSizes(text: String) {
        #expect(ByteCount.parse(text) == nil)
    }
}
