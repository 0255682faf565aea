/// A command line split into positionals, valued options and flags. Options take their value
/// as the next argument or after `=`; `--` ends the options.
struct ParsedArguments {
    var positionals: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []

    /// Parses `arguments` (without the program and subcommand names).
    init(_ arguments: [String], valued: Set<String>, flags knownFlags: Set<String>) throws(UsageError) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--" {
                positionals += rest
                break
            }
            guard argument.hasPrefix("-"), argument.count > 1 else {
                positionals.append(argument)
                continue
            }
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            if valued.contains(name) {
                if parts.count == 2 {
                    options[name] = parts[1]
                } else if let value = rest.popFirst() {
                    options[name] = value
                } else {
                    throw UsageError("\(name) needs a value")
                }
            } else if knownFlags.contains(name), parts.count == 1 {
                flags.insert(name)
            } else {
                throw UsageError("unknown option \(argument)")
            }
        }
    }
}

/// A command line that cannot be run; exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String

    init(_ message: String) { description = message }
}
