/// A failure writing a dump's git objects, commit or bundle.
public struct PublishingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
