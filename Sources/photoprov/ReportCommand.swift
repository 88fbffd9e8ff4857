import Foundation
import PhotoProvisioning

extension Command {
    static let report = Command(
        name: "report",
        summary: "Write report.html, report.csv and report.json for a past run from the journal.",
        usage: "report [--journal PATH] [--run ID] --out DIR",
        options: [
            .value("journal", "PATH", "journal file (default ./photoprov.journal)"),
            .value("run", "ID", "the run to report (default: the latest)"),
            .value("out", "DIR", "folder the three files are written to (created if missing)"),
        ]
    ) { arguments in
        guard arguments.positionals.isEmpty else {
            throw UsageError("report takes no arguments, got '\(arguments.positionals[0])'")
        }
        guard let out = arguments.value("out") else { throw UsageError("report needs --out DIR") }
        let path = arguments.value("journal") ?? Journal.defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw UsageError("no journal at \(path); run 'photoprov upload' first or pass --journal PATH")
        }
        let run = arguments.value("run") == nil ? nil : Int64(try arguments.integer("run", default: 0, in: 1...Int.max))
        let files = try await writeReport(journalPath: path, run: run, to: out)
        print("report: \(files.html)")
        print("        \(files.csv)")
        print("        \(files.json)")
        return .success
    }
}
