import Foundation
import PhotoProvisioning
import Synchronization

/// Writes messages for people: errors to stderr prefixed with the program name, or as JSON lines under
/// `--log-format json`. Every message passes `printable` (text) or the JSON encoder (JSON), so nothing read from a
/// CSV, a file name or a server reaches a terminal or a log as raw control characters.
enum Terminal {
    /// Whether messages are JSON lines (`--log-format json`); set once, when the command line is read.
    static let jsonLines = Atomic<Bool>(false)

    /// Prints `message` to standard error as `photoprov: message`, or as a JSON line
    /// (`{"event":"error","message":…,"exit_code":…,"time":…}`) under `--log-format json`.
    static func error(_ message: String, exitCode: ExitCode? = nil) {
        if jsonLines.load(ordering: .relaxed) {
            var fields: [String: any Sendable] = ["event": "error", "message": Redaction.text(message)]
            if let exitCode { fields["exit_code"] = Int(exitCode.rawValue) }
            write(jsonLine(fields))
        } else {
            write("photoprov: \(printable(message))")
        }
    }

    /// Prints `message` to standard error without a prefix (a JSON `note` line under `--log-format json`).
    static func note(_ message: String) {
        if jsonLines.load(ordering: .relaxed) {
            write(jsonLine(["event": "note", "message": Redaction.text(message)]))
        } else {
            write(printable(message))
        }
    }

    /// Whether standard error is a terminal (progress bars) or a file or pipe (plain lines, as under cron).
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }

    /// `text` made safe for one line of a terminal or a log: secrets masked (`Redaction.text`), and control
    /// characters, line breaks and bidirectional overrides written as escapes (`\n`, `\r`, `\t`, `\u{1B}`), so a
    /// CSV field or a file name can neither forge a log line nor send a terminal escape sequence.
    static func printable(_ text: String) -> String {
        let text = Redaction.text(text)
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where needsEscape(scalar): result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional embeddings,
    /// overrides and isolates (which reorder what a terminal shows).
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// One JSON object with `time` added, keys sorted: the shape of every `--log-format json` line.
    static func jsonLine(_ fields: [String: any Sendable]) -> String {
        var fields = fields
        fields["time"] = timestamp(Date())
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// ISO 8601 UTC with seconds, as every text and JSON line is stamped.
    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Whether `arguments` ask for `--log-format json`, read before (and whether or not) they parse, so even a
    /// usage error is a JSON line.
    static func asksForJSON(_ arguments: [String]) -> Bool {
        var format: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--log-format", index + 1 < arguments.count { format = arguments[index + 1] }
            if argument.hasPrefix("--log-format=") { format = String(argument.dropFirst("--log-format=".count)) }
        }
        return format == "json"
    }
}
