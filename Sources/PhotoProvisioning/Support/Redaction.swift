/// Keeps secrets out of what photoprov records: command lines in the journal and in reports.
package enum Redaction {
    /// What a masked value becomes.
    package static let mask = "***"

    /// Option names whose values are masked: any containing one of these words.
    static let secretWords = [
        "secret", "password", "passphrase", "token", "assertion", "credential", "apikey", "api-key",
    ]

    /// Masks the value of every option named like a secret (`--client-secret X`, `--client-secret=X`) and any
    /// argument shaped like a bearer token or JWT. A secret-named flag followed by another option (a flag taking
    /// no value) leaves that option as it is.
    package static func arguments(_ arguments: [String]) -> [String] {
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
}
