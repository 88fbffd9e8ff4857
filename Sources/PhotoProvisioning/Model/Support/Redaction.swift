import Foundation

/// Keeps secrets out of what photoprov records and shows: the one place command lines (journal, reports, status)
/// and free text (reasons, explanations, messages) are masked.
public enum Redaction {
    /// What a masked value becomes.
    public static let mask = "***"

    /// Option names whose values are masked: any containing one of these words.
    static let secretWords = [
        "secret", "password", "passphrase", "token", "assertion", "credential", "apikey", "api-key",
    ]

    /// Masks the value of every option named like a secret (`--client-secret X`, `--client-secret=X`) and any
    /// argument shaped like a bearer token or JWT. A secret-named flag followed by another option (a flag taking
    /// no value) leaves that option as it is.
    public static func arguments(_ arguments: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        var maskNext = false
        for argument in arguments {
            if maskNext {
                maskNext = false
                if !argument.hasPrefix("-") {
                    result.append(mask)
                    continue
                }
            }
            if argument.hasPrefix("-") {
                let body = argument.drop { $0 == "-" }
                let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                if secretWords.contains(where: { name.lowercased().contains($0) }) {
                    if let equals = argument.firstIndex(of: "=") {
                        result.append(argument[..<equals] + "=" + mask)
                    } else {
                        result.append(argument)
                        maskNext = true
                    }
                    continue
                }
            }
            result.append(looksLikeToken(argument) ? mask : argument)
        }
        return result
    }

    /// A JWT (`eyJ…` with two dots) or an `Authorization`-style `Bearer …` value.
    static func looksLikeToken(_ text: String) -> Bool {
        if text.lowercased().hasPrefix("bearer ") { return true }
        return text.hasPrefix("eyJ") && text.filter { $0 == "." }.count == 2 && text.count > 40
    }

    /// Masks secrets inside free text (reasons, explanations): JWTs, `Bearer …` values and
    /// `client_secret=…` / `client_assertion=…` / `access_token=…` / `refresh_token=…` fields become `***`.
    public static func text(_ text: String) -> String {
        // Cheap test first: most texts hold none of these.
        let lowered = text.lowercased()
        guard
            text.contains("eyJ") || lowered.contains("bearer") || lowered.contains("secret")
                || lowered.contains("assertion") || lowered.contains("token")
        else { return text }
        var result = text
        for (pattern, template) in secretPatterns {
            let range = NSRange(result.startIndex..., in: result)
            result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }

    private static let secretPatterns: [(NSRegularExpression, String)] = [
        (#"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"#, "***"),
        (#"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"#, "$1***"),
        (
            #"(?i)((?:client_secret|client_assertion|access_token|refresh_token)["']?\s*[=:]\s*["']?)[^&\s"',}]+"#,
            "$1***"
        ),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
}
