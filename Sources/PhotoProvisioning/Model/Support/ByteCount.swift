import Foundation

/// Byte sizes as people write them: `4194304`, `100KB`, `4MB`, `1.5MB` (binary multiples, as Graph's 4 MB limit).
public enum ByteCount {
    /// Parses a size with an optional `B`, `KB`/`K`/`KiB`, `MB`/`M`/`MiB`, `GB`/`G`/`GiB` suffix (case-insensitive);
    /// nil if malformed.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [
            ("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("kb", 1024), ("mb", 1_048_576),
            ("gb", 1_073_741_824), ("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824), ("b", 1),
        ]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            return Int((value * factor).rounded())
        }
        return Int(trimmed).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// A size for people: `512 B`, `98.2 KB`, `3.9 MB`.
    public static func format(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1_048_576 { return String(format: "%.1f KB", Double(bytes) / 1024) }
        return String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}
