/// The parsed property files of one dump, searched the way the property chains expect.
struct PropIndex {
    private struct Entry {
        var path: String
        var properties: [String: String]
    }

    /// Sorted bytewise by path, so every pattern yields its files in sorted order.
    private let entries: [Entry]

    /// Parses `files`; when two files share a path, the later one wins.
    init(_ files: [PropFile]) {
        var byPath: [String: [UInt8]] = [:]
        for file in files {
            byPath[PropertyResolver.normalized(file.path)] = file.bytes
        }
        entries = byPath.map { path, bytes in
            Entry(path: path, properties: PropFileParser.parse(bytes))
        }
        .sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// The paths of all indexed files, sorted.
    var paths: [String] { entries.map(\.path) }

    /// The first non-empty value of `query` that `accept` allows.
    func value(of query: PropQuery, where accept: (String) -> Bool = { _ in true }) -> String? {
        for key in query.keys {
            for pattern in query.patterns {
                for entry in entries where pattern.matches(entry.path.utf8) {
                    if let value = entry.properties[key], !value.isEmpty, accept(value) {
                        return value
                    }
                }
            }
        }
        return nil
    }

    /// The first non-empty value along `chain` that `accept` allows.
    func value(of chain: PropChain, where accept: (String) -> Bool = { _ in true }) -> String? {
        for query in chain {
            if let value = value(of: query, where: accept) { return value }
        }
        return nil
    }
}
