/// A GitLab call that failed: the operation, the HTTP status (0 when no answer came) and
/// GitLab's own message. Never the token.
public struct GitLabError: Error, Sendable, Hashable, CustomStringConvertible {
    public var operation: String
    public var status: Int
    public var message: String

    public init(operation: String, status: Int, message: String) {
        self.operation = operation
        self.status = status
        self.message = message
    }

    public var description: String {
        status == 0 ? "GitLab: \(operation): \(message)" : "GitLab: \(operation): HTTP \(status): \(message)"
    }
}
