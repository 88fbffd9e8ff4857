/// Parsed command-line options of one subcommand: `--name value`, `--name=value`, flags and positionals.
///
/// Hand-written on purpose: the project takes no Swift package dependencies.
struct Arguments: Sendable {
    /// How one option is spelled and whether it takes a value.
    struct Option: Sendable {
        let name: String
        let takesValue: Bool
        let help: String
        let valueName: String

        static func flag(_ name: String, _ help: String) -> Option {
            Option(name: name, takesValue: false, help: help, valueName: "")
        }
        static func value(_ name: String, _ valueName: String, _ help: String) -> Option {
            Option(name: name, takesValue: true, help: help, valueName: valueName)
        }
    }

    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []
    /// Flags turned off explicitly (`--name=false`), so a config file's `name = true` does not switch them on.
    private var negated: Set<String> = []
    private(set) var positionals: [String] = []

    /// Options that say the same thing in different ways: when the command line gives one of a group, the config
    /// file's whole group is dropped, so the command line's choice wins instead of clashing with the file's.
    static let alternatives: [Set<String>] = [
        ["csv", "dir"],
        [
            "auth", "token-command", "device-code", "client-secret-file", "certificate", "certificate-key",
            "federated-token-file",
        ],
    ]

    /// Parses `arguments` against `options`; unknown options and missing values are usage errors.
    init(_ arguments: [String], options: [Option]) throws(UsageError) {
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("--") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = byName[name] else {
                throw UsageError("unknown option --\(name)")
            }
            if option.takesValue {
                if let inlineValue {
                    values[name, default: []].append(inlineValue)
                } else if index < arguments.count {
                    values[name, default: []].append(arguments[index])
                    index += 1
                } else {
                    throw UsageError("--\(name) needs a value (\(option.valueName))")
                }
            } else if let inlineValue {
                // `--name=false` turns off a flag a config file turned on; `--name=true` is `--name`.
                guard let on = ConfigFile.truth(inlineValue) else {
                    throw UsageError("--\(name) is a flag: give it alone, or as --\(name)=true or --\(name)=false")
                }
                if on { flags.insert(name) } else { negated.insert(name) }
            } else {
                flags.insert(name)
            }
        }
    }

    /// These arguments with `config`'s options added where the command line does not give them.
    ///
    /// - Throws: `UsageError` naming the file and line of an unknown option, a flag with a value that is not true or
    ///   false, an option without a value, or `config` itself.
    func merging(_ config: ConfigFile, options: [Option], command: String) throws(UsageError) -> Arguments {
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var fromFile = Arguments()
        for entry in config.entries {
            let at = "--config \(config.path) line \(entry.line)"
            guard let option = byName[entry.name], option.name != "config" else {
                throw UsageError("\(at): unknown option '\(entry.name)' for photoprov \(command)")
            }
            if option.takesValue {
                guard let value = entry.value, !value.isEmpty else {
                    throw UsageError("\(at): \(entry.name) needs a value (\(option.valueName))")
                }
                fromFile.values[option.name, default: []].append(value)
            } else {
                guard let on = entry.value.map(ConfigFile.truth) ?? true else {
                    throw UsageError("\(at): \(entry.name) is a flag: true or false, not '\(entry.value ?? "")'")
                }
                if on { fromFile.flags.insert(option.name) } else { fromFile.flags.remove(option.name) }
            }
        }
        let given = Set(values.keys).union(flags).union(negated)
        var dropped = given
        for group in Self.alternatives where !group.isDisjoint(with: given) { dropped.formUnion(group) }
        var merged = self
        for (name, list) in fromFile.values where !dropped.contains(name) { merged.values[name] = list }
        merged.flags.formUnion(fromFile.flags.subtracting(dropped))
        return merged
    }

    private init() {}

    /// Whether the flag `--name` was given.
    func has(_ name: String) -> Bool { flags.contains(name) }

    /// The last value given for `--name`, if any.
    func value(_ name: String) -> String? { values[name]?.last }

    /// Every value given for a repeatable `--name`.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The value of `--name` as an integer within `range`, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// The value of `--name` as a decimal number within `range`, or `defaultValue` when absent.
    func number(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws(UsageError)
        -> Double
    {
        guard let text = value(name) else { return defaultValue }
        guard let number = Double(text), number.isFinite, range.contains(number) else {
            throw UsageError(
                "--\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// The value of `--name` as one of `choices`, or `defaultValue` when absent.
    func choice(_ name: String, _ choices: [String], default defaultValue: String) throws(UsageError) -> String {
        guard let text = value(name) else { return defaultValue }
        guard choices.contains(text) else {
            throw UsageError("--\(name) must be one of \(choices.joined(separator: ", ")), not '\(text)'")
        }
        return text
    }
}
