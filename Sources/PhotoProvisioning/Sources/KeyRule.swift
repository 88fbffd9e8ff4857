import PhotoModel

/// Checks and normalises keys: UPNs and mail addresses must look like name@domain, ids like GUIDs, contact ids like
/// Outlook item ids.
enum KeyRule {
    /// The normalised key, or why `raw` is not a valid key of kind `kind`.
    static func normalize(_ raw: String, as kind: MatchKey) -> Result<String, SourceProblem.Reason> {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .failure(.missingKey(kind)) }
        switch kind {
        case .upn, .mail, .email:
            return isAddress(text) ? .success(text.lowercased()) : .failure(.malformedKey(kind, text))
        case .id:
            var guid = Substring(text)
            if guid.hasPrefix("{") && guid.hasSuffix("}") { guid = guid.dropFirst().dropLast() }
            return isGUID(guid) ? .success(guid.lowercased()) : .failure(.malformedKey(kind, text))
        case .contactId:
            return isOutlookID(text) ? .success(text) : .failure(.malformedKey(kind, text))
        case .employeeId:
            return text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                ? .failure(.malformedKey(kind, text)) : .success(text)
        }
    }

    /// `name@domain.tld`: one `@`, a local part of address characters without leading, trailing or doubled
    /// dots, and a domain of at least two DNS labels.
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last else { return false }
        guard !local.isEmpty, local.utf8.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."),
            !local.contains("..")
        else { return false }
        let localExtras = Set(".!#$%&'*+-/=?^_`{|}~".unicodeScalars)
        guard local.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || localExtras.contains($0)) }) else {
            return false
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || $0 == "-") })
            else { return false }
        }
        return !labels.last!.allSatisfy(\.isNumber)
    }

    /// An Outlook item id as Graph hands it out: base64 (standard or URL-safe alphabet, `=` padding), kept as
    /// written because it is case-sensitive.
    static func isOutlookID(_ text: String) -> Bool {
        let extras = Set("+/=-_".unicodeScalars)
        return text.utf8.count <= 512
            && text.unicodeScalars.allSatisfy { $0.isASCII && (isAlphanumeric($0) || extras.contains($0)) }
    }

    /// `8-4-4-4-12` hexadecimal digits.
    static func isGUID(_ text: Substring) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 36 else { return false }
        for (index, scalar) in scalars.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard scalar == "-" else { return false }
            } else {
                guard scalar.properties.isASCIIHexDigit else { return false }
            }
        }
        return true
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
