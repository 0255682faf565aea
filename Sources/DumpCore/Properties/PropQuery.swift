/// One step of a property chain: some keys, looked up in some files.
///
/// The search is key-major, as in the existing system: the first key over every pattern in order,
/// then the second key, and so on. Files matched by one pattern are taken in sorted path order.
struct PropQuery: Sendable {
    var keys: [String]
    var patterns: [PropPathPattern]

    init(_ keys: [String], in patterns: [PropPathPattern]) {
        self.keys = keys
        self.patterns = patterns
    }

    init(_ key: String, in patterns: [PropPathPattern]) {
        self.init([key], in: patterns)
    }
}

/// A fallback chain: its steps are tried in order and the first non-empty value wins.
typealias PropChain = [PropQuery]
