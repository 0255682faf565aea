internal import COpenSSL

/// A streaming message digest (SHA-1 or SHA-256) computed with OpenSSL's EVP interface.
///
/// Owns its `EVP_MD_CTX`; not thread-safe — use one per thread. The corresponding C functions
/// are `EVP_DigestInit_ex`, `EVP_DigestUpdate` and `EVP_DigestFinal_ex`.
public final class StreamingDigest {
    /// The digest algorithms dumpyard uses: SHA-1 for git object ids, SHA-256 for firmware and LFS.
    public enum Algorithm: Sendable {
        case sha1
        case sha256

        var byteCount: Int { self == .sha1 ? 20 : 32 }
    }

    /// The algorithm this digest computes.
    public let algorithm: Algorithm
    private let context: OpaquePointer

    /// Starts a new digest.
    public init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new: out of memory") }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Forgets everything fed so far and starts over.
    public func reset() {
        let md = algorithm == .sha1 ? EVP_sha1() : EVP_sha256()
        guard EVP_DigestInit_ex(context, md, nil) == 1 else { preconditionFailure("EVP_DigestInit_ex failed") }
    }

    /// Feeds bytes into the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else { preconditionFailure("EVP_DigestUpdate failed") }
    }

    /// Feeds bytes into the digest.
    public func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// Finishes the digest, returns it and resets the context for reuse.
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        let rc = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(rc == 1 && Int(length) == out.count, "EVP_DigestFinal_ex failed")
        reset()
        return out
    }

    /// The digest of one buffer.
    public static func digest(_ algorithm: Algorithm, of bytes: some Sequence<UInt8>) -> [UInt8] {
        let d = StreamingDigest(algorithm)
        d.update(bytes)
        return d.finalize()
    }
}
