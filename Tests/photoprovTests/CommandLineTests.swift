import Foundation
import Testing

/// Runs the built `photoprov` binary and checks what a person would see.
@Suite struct CommandLineTests {
    @Test func printsVersionAndHelp() async throws {
        let version = try await PhotoprovProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("photoprov "))
        let help = try await PhotoprovProcess.run(["--help"])
        #expect(help.stdout.contains("convert"))
        let convertHelp = try await PhotoprovProcess.run(["convert", "--help"])
        #expect(convertHelp.status == 0)
        #expect(convertHelp.stdout.contains("--max-bytes"))
    }

    @Test func badArgumentsExitTwoWithAMessage() async throws {
        let unknown = try await PhotoprovProcess.run(["convert", "--nonsense", "--out", "/tmp/x", "a.jpg"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown option --nonsense"))
        let badBytes = try await PhotoprovProcess.run(["convert", "--max-bytes", "lots", "--out", "/tmp/x", "a.jpg"])
        #expect(badBytes.status == 2)
        #expect(badBytes.stderr.contains("--max-bytes"))
        let noCommand = try await PhotoprovProcess.run(["frobnicate"])
        #expect(noCommand.status == 2)
    }
}
