import Foundation
import PhotoProvisioning

extension Command {
    /// `photoprov __bench-report N DIR`: writes a made-up N-item report into DIR and prints sizes and write times.
    ///
    /// Hidden from `--help` (names starting with `__` are not listed); scripts/bench-report runs it on a release build.
    static let benchReport = Command(
        name: "__bench-report",
        summary: "Measure the report writers on a made-up run (for scripts/bench-report).",
        usage: "__bench-report [--repeat K] [--dry-run] N DIR",
        options: [
            .value("repeat", "K", "how many times to write the report (default 3)"),
            .flag("dry-run", "make the run a dry run (would-upload, would-fail, …)"),
        ]
    ) { arguments in
        guard arguments.positionals.count == 2, let count = Int(arguments.positionals[0]), count >= 0 else {
            throw UsageError("__bench-report needs N (items) and DIR")
        }
        let directory = arguments.positionals[1]
        let repeats = try arguments.integer("repeat", default: 3, in: 1...100)
        let kind: ReportRun.Kind = arguments.has("dry-run") ? .dryRun : .upload
        let figures = try await BlockingPool(threads: 1).run {
            try ReportBenchmark.measure(count: count, kind: kind, directory: directory, repeats: repeats)
        }
        func megabytes(_ bytes: Int) -> String {
            String(format: "%.2f MB (%d bytes)", Double(bytes) / 1_048_576, bytes)
        }
        print("items        \(figures.items)")
        print("report.html  \(megabytes(figures.htmlBytes))")
        print("report.csv   \(megabytes(figures.csvBytes))")
        print("report.json  \(megabytes(figures.jsonBytes))")
        print(
            "write time   median \(String(format: "%.3f", figures.medianSeconds)) s over \(figures.seconds.count) runs: "
                + figures.seconds.map { String(format: "%.3f", $0) }.joined(separator: ", ") + " s")
        print("folder       \(directory)")
        return .success
    }
}
