internal import COpenSSL

/// AES-128 in CBC mode, one shot, without padding (MEGA's node attributes).
public enum AES128CBC {
    /// Decrypts `data` (a multiple of 16 bytes) with a 16-byte `key` and `iv`.
    public static func decrypt(_ data: [UInt8], key: [UInt8], iv: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard key.count == 16, iv.count == 16 else {
            throw CryptoError(function: "AES128CBC.decrypt", message: "key and IV must be 16 bytes (got \(key.count), \(iv.count))")
        }
        guard data.count % 16 == 0, data.count <= Int(Int32.max) - 16 else {
            throw CryptoError(function: "AES128CBC.decrypt", message: "input of \(data.count) bytes is not a multiple of 16")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_128_cbc(), nil, key, iv) == 1 else { throw .openSSL("EVP_DecryptInit_ex") }
        guard EVP_CIPHER_CTX_set_padding(context, 0) == 1 else { throw .openSSL("EVP_CIPHER_CTX_set_padding") }
        var out = [UInt8](repeating: 0, count: data.count + 16)
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            guard EVP_DecryptUpdate(context, base, &written, data, Int32(data.count)) == 1 else { return false }
            return EVP_DecryptFinal_ex(context, base + Int(written), &final) == 1
        }
        guard ok else { throw .openSSL("EVP_DecryptUpdate/EVP_DecryptFinal_ex") }
        out.removeSubrange(Int(written + final)...)
        return out
    }
}
