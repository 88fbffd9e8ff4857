import Foundation

/// `--config FILE`: one job's options in a file, so a scheduled command stays one line and a tenant's settings live
/// in a ConfigMap or `/etc`. Options given on the command line win over the file's.
///
/// The format is one option per line, `name = value`, with the option's name as on the command line without its
/// dashes. A flag is `name = true` or `false` (also `yes`/`no`, `on`/`off`, `1`/`0`), or the name alone for true. A
/// repeatable option may be given on several lines. Blank lines and lines starting with `#` are ignored; a value may
/// be wrapped in double quotes to keep spaces at its ends; paths are relative to the working directory, as on the
/// command line. Anything else, an unknown name above all, is an error naming the file and the line.
struct ConfigFile: Sendable {
    /// One `name = value` line, in file order.
    struct Entry: Sendable, Equatable {
        let line: Int
        let name: String
        let value: String?
    }

    let path: String
    let entries: [Entry]

    /// A config file larger than this is a mistake (someone pointed `--config` at a photo or a journal).
    static let maximumBytes = 1 << 20

    /// Reads and splits `path`; the options are checked against a command later, by `Arguments`.
    static func read(_ path: String) throws(UsageError) -> ConfigFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw UsageError("--config \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw UsageError("--config \(path): not a regular file")
        }
        guard info.st_size <= maximumBytes else {
            throw UsageError("--config \(path): \(info.st_size) bytes; a config file is at most 1 MB of text")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("--config \(path): cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError("--config \(path): not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Splits `text` into entries; `path` only names the file in messages.
    static func parse(_ text: String, path: String) throws(UsageError) -> ConfigFile {
        var entries: [Entry] = []
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        // `isNewline` splits at \n, \r\n (one Character in Swift) and \r alike.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let number = index + 1
            var name = line
            var value: String?
            if let equals = line.firstIndex(of: "=") {
                name = line[..<equals].trimmingCharacters(in: .whitespaces)
                var rest = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if rest.count >= 2, rest.hasPrefix("\""), rest.hasSuffix("\"") {
                    rest = String(rest.dropFirst().dropLast())
                }
                value = rest
            }
            if name.hasPrefix("--") { name.removeFirst(2) }
            guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                throw UsageError("--config \(path) line \(number): expected 'name = value', not '\(line)'")
            }
            entries.append(Entry(line: number, name: name, value: value))
        }
        return ConfigFile(path: path, entries: entries)
    }

    /// `true` or `false` for a flag's value; nil when it is neither.
    static func truth(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }
}
