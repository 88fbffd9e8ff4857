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
    ///
    /// - Parameter maskingOpaqueWords: also mask every word of 24 or more token characters mixing letters and
    ///   digits (a bare client secret or opaque token), GUIDs excepted; for text from outside photoprov that may
    ///   hold a secret without a name, such as a token command's error output.
    public static func text(_ text: String, maskingOpaqueWords: Bool = false) -> String {
        var result = text
        // Cheap test first: most texts hold none of these.
        let lowered = text.lowercased()
        if text.contains("eyJ") || lowered.contains("bearer") || lowered.contains("secret")
            || lowered.contains("assertion") || lowered.contains("token")
        {
            for (pattern, template) in secretPatterns {
                let range = NSRange(result.startIndex..., in: result)
                result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: template)
            }
        }
        guard maskingOpaqueWords else { return result }
        let range = NSRange(result.startIndex..., in: result)
        for match in opaqueWord.matches(in: result, range: range).reversed() {
            guard let span = Range(match.range, in: result) else { continue }
            let word = result[span]
            guard word.contains(where: \.isNumber), word.contains(where: \.isLetter),
                UUID(uuidString: String(word)) == nil
            else { continue }
            result.replaceSubrange(span, with: mask)
        }
        return result
    }

    private static let opaqueWord = try! NSRegularExpression(pattern: #"[A-Za-z0-9._~+/=-]{24,}"#)

    private static let secretPatterns: [(NSRegularExpression, String)] = [
        (#"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"#, "***"),
        (#"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"#, "$1***"),
        (
            #"(?i)((?:client_secret|client_assertion|access_token|refresh_token)["']?\s*[=:]\s*["']?)[^&\s"',}]+"#,
            "$1***"
        ),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
}
