import Testing

@testable import PhotoProvisioning

@Suite struct TimeSpanTests {
    @Test(arguments: [
        ("90s", 90.0), ("30m", 1800.0), ("1h30m", 5400.0), ("2h", 7200.0), ("45", 45.0), ("1.5m", 90.0),
        ("90d", 7_776_000.0),
    ])
    func parsesDurations(text: String, seconds: Double) {
        #expect(TimeSpan.parse(text) == seconds)
    }

    @Test(arguments: ["", "m", "0", "30x", "1h30", "-5m"])
    func rejectsMalformedDurations(text: String) {
        #expect(TimeSpan.parse(text) == nil)
    }

    @Test func formatsForPeople() {
        #expect(TimeSpan.format(0.25) == "250 ms")
        #expect(TimeSpan.format(12.34) == "12.3 s")
        #expect(TimeSpan.format(245) == "4m 05s")
        #expect(TimeSpan.format(3720) == "1h 02m")
        #expect(TimeSpan.format(.nan) == "–" && TimeSpan.format(-1) == "–")
    }
}
