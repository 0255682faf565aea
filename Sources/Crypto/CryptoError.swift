internal import COpenSSL

/// A failure of an OpenSSL call, or input OpenSSL cannot take (a key of the wrong length).
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The C function that failed, or the operation whose input was refused.
    public var function: String
    /// OpenSSL's message for the first queued error, or what was wrong with the input.
    public var message: String

    public var description: String { "\(function) failed\(message.isEmpty ? "" : ": \(message)")" }

    /// The error for `function`, with OpenSSL's queued error text (the queue is cleared).
    static func openSSL(_ function: String) -> CryptoError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return CryptoError(function: function, message: "") }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return CryptoError(function: function, message: text)
    }
}
