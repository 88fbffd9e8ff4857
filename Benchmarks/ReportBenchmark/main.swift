// Measures the report writers on a made-up run: `ReportBenchmark [--repeat K] [--dry-run] N DIR` writes an
// N-item report into DIR K times and prints the three file sizes and the write times (scripts/bench-report).
// `ReportBenchmark --journal N PATH` instead fills a journal with an N-item run (previews included), for
// scripts/bench-report to measure `photoprov report` on it.
import Foundation
import PhotoProvisioning
import PhotoProvisioningTestSupport

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--journal" {
    guard arguments.count == 3, let count = Int(arguments[1]), count >= 0 else {
        FileHandle.standardError.write(Data("usage: ReportBenchmark --journal N PATH\n".utf8))
        exit(2)
    }
    let path = arguments[2]
    // The rest of this file is synchronous (the writers block): wait for the journal here on the main thread, so
    // the work runs detached from the main actor this top-level code is on.
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do {
            let run = try await ReportSampleJournal.fill(path: path, count: count)
            print("journal      \(path): run \(run), \(count) items")
        } catch {
            FileHandle.standardError.write(Data("ReportBenchmark: \(error)\n".utf8))
            exit(1)
        }
        done.signal()
    }
    done.wait()
    exit(0)
}
var repeats = 3
var kind = RunKind.upload
if let index = arguments.firstIndex(of: "--repeat"), index + 1 < arguments.count, let value = Int(arguments[index + 1])
{
    repeats = max(1, value)
    arguments.removeSubrange(index...index + 1)
}
if let index = arguments.firstIndex(of: "--dry-run") {
    kind = .dryRun
    arguments.remove(at: index)
}
guard arguments.count == 2, let count = Int(arguments[0]), count >= 0 else {
    FileHandle.standardError.write(Data("usage: ReportBenchmark [--repeat K] [--dry-run] N DIR\n".utf8))
    exit(2)
}
let directory = arguments[1]
let (run, items) = ReportSampleRun.make(count: count, kind: kind)
var seconds: [Double] = []
var files: ReportWriter.Files?
do {
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        files = try ReportWriter.write(run: run, items: items, to: directory)
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
} catch {
    FileHandle.standardError.write(Data("ReportBenchmark: \(error)\n".utf8))
    exit(1)
}
func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
}
func megabytes(_ path: String) -> String {
    let bytes = size(path)
    return String(format: "%.2f MB (%d bytes)", Double(bytes) / 1_048_576, bytes)
}
let sorted = seconds.sorted()
let median =
    sorted.count % 2 == 1
    ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
print("items        \(count)")
print("report.html  \(megabytes(files!.html))")
print("report.csv   \(megabytes(files!.csv))")
print("report.json  \(megabytes(files!.json))")
print(
    "write time   median \(String(format: "%.3f", median)) s over \(seconds.count) runs: "
        + seconds.map { String(format: "%.3f", $0) }.joined(separator: ", ") + " s")
print("folder       \(directory)")
