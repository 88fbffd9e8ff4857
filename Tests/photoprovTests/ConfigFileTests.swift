import Foundation
import Testing

@testable import photoprov

/// `--config FILE`: every option from the file, the command line winning, and errors that name the line.
@Suite struct ConfigFileTests {
    private func merged(_ command: Command, _ arguments: [String], config text: String) throws(UsageError) -> Arguments
    {
        let config = try ConfigFile.parse(text, path: "job.conf")
        return try Arguments(arguments, options: command.options).merging(
            config, options: command.options,
            command: command.name)
    }

    private func problem(_ command: Command, _ text: String) -> String? {
        do {
            _ = try merged(command, [], config: text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: CommandLine.commands.map(\.name))
    func everyOptionCanComeFromTheFile(_ name: String) throws {
        let command = try #require(CommandLine.commands.first { $0.name == name })
        let options = command.options.filter { $0.name != "config" }
        #expect(!options.isEmpty)
        for option in options {
            let fromFlags: Arguments
            let fromFile: Arguments
            if option.takesValue {
                fromFlags = try Arguments(["--\(option.name)", "value of \(option.name)"], options: command.options)
                fromFile = try merged(command, [], config: "# \(name)\n\(option.name) = \"value of \(option.name)\"\n")
                #expect(fromFile.value(option.name) == fromFlags.value(option.name), "\(name) \(option.name)")
                #expect(fromFile.value(option.name) == "value of \(option.name)")
            } else {
                fromFlags = try Arguments(["--\(option.name)"], options: command.options)
                fromFile = try merged(command, [], config: "\(option.name) = true")
                #expect(fromFile.has(option.name) && fromFlags.has(option.name), "\(name) \(option.name)")
                #expect(try merged(command, [], config: option.name).has(option.name), "a bare name is true")
                #expect(try !merged(command, [], config: "\(option.name) = off").has(option.name))
            }
        }
    }

    @Test func theCommandLineWins() throws {
        let upload = try #require(CommandLine.commands.first { $0.name == "upload" })
        let file = """
            csv = /data/people.csv
            jobs = 3
            dry-run = yes
            client-secret-file = /etc/photoprov/secret
            journal = /data/photoprov.journal
            """
        let parsed = try merged(
            upload,
            [
                "--jobs", "5", "--dry-run=false", "--dir", "/srv/photos",
                "--certificate", "/etc/photoprov/app.pem",
            ], config: file)
        #expect(parsed.value("jobs") == "5")
        #expect(!parsed.has("dry-run"), "--dry-run=false turns off the file's dry-run")
        #expect(parsed.value("dir") == "/srv/photos")
        #expect(parsed.value("csv") == nil, "the command line's --dir replaces the file's csv, not joins it")
        #expect(parsed.value("certificate") == "/etc/photoprov/app.pem")
        #expect(parsed.value("client-secret-file") == nil, "one sign-in choice: the command line's")
        #expect(parsed.value("journal") == "/data/photoprov.journal", "what the command line leaves out still counts")
    }

    @Test func aRepeatedOptionAccumulatesInTheFileAndTheCommandLineReplacesIt() throws {
        let convert = try #require(CommandLine.commands.first { $0.name == "convert" })
        let parsed = try merged(convert, [], config: "max-side = 400\nmax-side = 300\n")
        #expect(parsed.all("max-side") == ["400", "300"])
        #expect(parsed.value("max-side") == "300", "the last line wins, as the last flag does")
        let overridden = try merged(convert, ["--max-side", "200"], config: "max-side = 400\nmax-side = 300\n")
        #expect(overridden.all("max-side") == ["200"])
    }

    @Test func mistakesNameTheFileAndTheLine() throws {
        let upload = try #require(CommandLine.commands.first { $0.name == "upload" })
        #expect(
            problem(upload, "csv = a.csv\n\n# fine so far\ncolour = blue\n")
                == "--config job.conf line 4: unknown option 'colour' for photoprov upload")
        #expect(
            problem(upload, "dry-run = sometimes")
                == "--config job.conf line 1: dry-run is a flag: true or false, not 'sometimes'")
        #expect(problem(upload, "jobs =") == "--config job.conf line 1: jobs needs a value (N)")
        #expect(problem(upload, "jobs") == "--config job.conf line 1: jobs needs a value (N)")
        #expect(
            problem(upload, "config = other.conf")
                == "--config job.conf line 1: unknown option 'config' for photoprov upload")
        #expect(
            problem(upload, "max items = 3")
                == "--config job.conf line 1: expected 'name = value', not 'max items = 3'")
        let status = try #require(CommandLine.commands.first { $0.name == "status" })
        #expect(
            problem(status, "dry-run = true")
                == "--config job.conf line 1: unknown option 'dry-run' for photoprov status", "options are per command")
    }

    @Test func spellingsPeopleWrite() throws {
        let upload = try #require(CommandLine.commands.first { $0.name == "upload" })
        let parsed = try merged(
            upload, [],
            config: "\u{FEFF}# comment\r\n  --domain=contoso.com  \r\n"
                + "report = \"  spaced dir  \"\r\nmax-duration=45m\r\n")
        #expect(parsed.value("domain") == "contoso.com")
        #expect(parsed.value("report") == "  spaced dir  ")
        #expect(parsed.value("max-duration") == "45m")
    }

    @Test func aRunTakesItsOptionsFromTheFile() async throws {
        let batch = try await Batch.make(count: 3)
        let config = batch.path("job.conf")
        try batch.write(
            "job.conf",
            """
            # one job: the whole command line in a file
            csv = \(batch.csv)
            journal = \(batch.journal)
            report = \(batch.path("report"))
            dry-run = true
            offline = true
            log-format = json
            """)
        let run = try await PhotoprovProcess.run(
            ["upload", "--config", config],
            environment: ["AZURE_CLIENT_SECRET": "", "PHOTOPROV_GRAPH_URL": "http://127.0.0.1:9"])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("\"event\":\"summary\""), "log-format from the file")
        let report =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: batch.path("report") + "/report.json"))) as? [String: Any]
        let counts = (report?["run"] as? [String: Any])?["counts"] as? [String: Any]
        #expect((counts?["would-upload"] as? NSNumber)?.intValue == 3)

        let flagWins = try await PhotoprovProcess.run(
            ["upload", "--config", config, "--log-format", "text"],
            environment: ["AZURE_CLIENT_SECRET": "", "PHOTOPROV_GRAPH_URL": "http://127.0.0.1:9"])
        #expect(flagWins.status == 0, "\(flagWins.stderr)")
        #expect(!flagWins.stdout.contains("\"event\":"), "--log-format text on the command line wins")

        try batch.write("bad.conf", "csv = \(batch.csv)\nremove-mising = true\n")
        let bad = try await PhotoprovProcess.run(["upload", "--config", batch.path("bad.conf")])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("line 2: unknown option 'remove-mising' for photoprov upload"), "\(bad.stderr)")
        let folder = try await PhotoprovProcess.run(["upload", "--config", batch.path("")])
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("not a regular file"), "\(folder.stderr)")
        let missing = try await PhotoprovProcess.run(["status", "--config", batch.path("nope.conf")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("No such file"), "\(missing.stderr)")
    }
}
