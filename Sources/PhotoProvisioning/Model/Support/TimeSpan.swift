import Foundation

/// Durations as people type them on a command line: `90s`, `30m`, `1h30m`, `2h`, `90d`, or plain seconds.
public enum TimeSpan {
    /// Parses a duration into seconds; nil when malformed or zero.
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let seconds = Double(trimmed) { return seconds > 0 ? seconds : nil }
        var total = 0.0
        var number = ""
        for character in trimmed {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            let unit: Double
            switch character {
            case "d": unit = 86_400
            case "h": unit = 3600
            case "m": unit = 60
            case "s": unit = 1
            default: return nil
            }
            guard let value = Double(number) else { return nil }
            total += value * unit
            number = ""
        }
        guard number.isEmpty, total > 0 else { return nil }
        return total
    }

    /// A duration for people: `850 ms`, `12.3 s`, `4m 05s`, `1h 02m`; `–` when not a duration. The one duration
    /// format of photoprov's output, status and reports.
    public static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm %02ds", whole / 60, whole % 60) }
        return String(format: "%dh %02dm", whole / 3600, whole % 3600 / 60)
    }
}
