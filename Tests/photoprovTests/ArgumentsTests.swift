import Testing

@testable import photoprov

/// The hand-written option parser, in process: spellings, values, positionals and every usage error's message.
@Suite struct ArgumentsTests {
    private let options: [Arguments.Option] = [
        .value("out", "DIR", "where to write"),
        .value("jobs", "N", "workers"),
        .value("crop", "MODE", "square or none"),
        .value("column", "NAME", "repeatable"),
        .flag("force", "upload even when unchanged"),
    ]

    private func usageError(_ arguments: [String]) -> String? {
        do {
            _ = try Arguments(arguments, options: options)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsSpaceAndEqualsValuesFlagsAndPositionals() throws {
        let parsed = try Arguments(["a.jpg", "--out", "dir", "--jobs=3", "--force", "b.jpg", "-"], options: options)
        #expect(parsed.value("out") == "dir")
        #expect(parsed.value("jobs") == "3")
        #expect(parsed.has("force"))
        #expect(!parsed.has("out"), "a value option is not a flag")
        #expect(parsed.value("crop") == nil)
        #expect(parsed.positionals == ["a.jpg", "b.jpg", "-"], "'-' (stdin) is a positional")
    }

    @Test func lastValueWinsAndRepeatsAreAllKept() throws {
        let parsed = try Arguments(["--column", "upn", "--out", "a", "--column=mail", "--out", "b"], options: options)
        #expect(parsed.value("out") == "b")
        #expect(parsed.all("column") == ["upn", "mail"])
        #expect(parsed.all("jobs") == [])
    }

    @Test func doubleDashEndsOptionsAndEqualsMayBeEmpty() throws {
        let parsed = try Arguments(["--out=", "--", "--force", "--jobs", "x"], options: options)
        #expect(parsed.value("out") == "")
        #expect(!parsed.has("force"))
        #expect(parsed.positionals == ["--force", "--jobs", "x"])
    }

    @Test func usageErrorsNameTheOption() {
        #expect(usageError(["--nonsense"]) == "unknown option --nonsense")
        #expect(usageError(["--nonsense=1"]) == "unknown option --nonsense")
        #expect(usageError(["a.jpg", "--out"]) == "--out needs a value (DIR)")
        #expect(
            usageError(["--force=maybe"]) == "--force is a flag: give it alone, or as --force=true or --force=false")
        #expect(usageError(["--out", "--force"]) == nil, "a value may look like an option")
    }

    @Test func integersWithinARange() throws {
        let parsed = try Arguments(["--jobs", "4"], options: options)
        #expect(try parsed.integer("jobs", default: 1, in: 1...8) == 4)
        #expect(try Arguments([], options: options).integer("jobs", default: 2, in: 1...8) == 2)
        for bad in ["0", "9", "four", "2.5", ""] {
            let arguments = try Arguments(["--jobs", bad], options: options)
            let error = #expect(throws: UsageError.self) { try arguments.integer("jobs", default: 1, in: 1...8) }
            #expect(error?.description == "--jobs must be a whole number from 1 to 8, not '\(bad)'")
        }
    }

    @Test func choicesListTheAllowedValues() throws {
        #expect(try Arguments([], options: options).choice("crop", ["square", "none"], default: "square") == "square")
        #expect(
            try Arguments(["--crop", "none"], options: options).choice("crop", ["square", "none"], default: "square")
                == "none")
        let arguments = try Arguments(["--crop", "circle"], options: options)
        let error = #expect(throws: UsageError.self) {
            try arguments.choice("crop", ["square", "none"], default: "square")
        }
        #expect(error?.description == "--crop must be one of square, none, not 'circle'")
    }
}
