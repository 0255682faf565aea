import Crypto

/// A MEGA node's attributes: base64url of AES-128-CBC (zero IV, no padding) over
/// `MEGA{"n":"<name>",…}` padded with zero bytes to a multiple of 16.
enum MEGAAttributes {
    enum Problem: Error {
        case notBase64
        case wrongKey
    }

    /// The file name, nil when the attributes hold none.
    static func fileName(_ encoded: String, key: [UInt8]) throws(Problem) -> String? {
        guard let sealed = Base64Decoding.url(encoded), !sealed.isEmpty, sealed.count % 16 == 0 else { throw .notBase64 }
        guard let plain = try? AES128CBC.decrypt(sealed, key: key, iv: [UInt8](repeating: 0, count: 16)),
            plain.starts(with: Array("MEGA{".utf8))
        else { throw .wrongKey }
        let json = plain.dropFirst(4).prefix { $0 != 0 }
        guard let object = JSONReading.value(of: Array(json)) as? [String: Any] else { throw .wrongKey }
        return JSONReading.string(object["n"])
    }
}
