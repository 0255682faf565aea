internal import COpenSSL

/// AES-128 in counter mode, streaming: `apply` encrypts or decrypts (the same operation) any
/// number of bytes, chunk after chunk, and the counter goes on across calls, also mid-block.
///
/// Owns its `EVP_CIPHER_CTX`; not thread-safe. The counter block is incremented as one 128-bit
/// big-endian number (MEGA's nonce + 64-bit block counter is the same thing for any real file).
public final class AES128CTR {
    private let context: OpaquePointer

    /// Starts at `counter` (16 bytes) with `key` (16 bytes).
    public init(key: [UInt8], counter: [UInt8]) throws(CryptoError) {
        guard key.count == 16, counter.count == 16 else {
            throw CryptoError(function: "AES128CTR", message: "key and counter must be 16 bytes (got \(key.count), \(counter.count))")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        self.context = context
        guard EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, counter) == 1 else {
            let error = CryptoError.openSSL("EVP_EncryptInit_ex")
            EVP_CIPHER_CTX_free(context)
            throw error
        }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Encrypts or decrypts `bytes` in place.
    public func apply(_ bytes: UnsafeMutableRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var done = 0
        while done < bytes.count {
            // EVP takes an Int32 length: go in pieces of at most 1 GiB.
            let piece = min(bytes.count - done, 1 << 30)
            var written: Int32 = 0
            let rc = EVP_EncryptUpdate(context, base + done, &written, base + done, Int32(piece))
            // CTR cannot fail on valid memory; a failure here is a broken OpenSSL.
            precondition(rc == 1 && Int(written) == piece, "EVP_EncryptUpdate (AES-128-CTR) failed")
            done += piece
        }
    }

    /// Encrypts or decrypts `bytes` in place.
    public func apply(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { apply($0) }
    }

    /// Encrypts or decrypts `bytes` into a new array.
    public func applied(to bytes: some Sequence<UInt8>) -> [UInt8] {
        var out = Array(bytes)
        apply(&out)
        return out
    }
}
