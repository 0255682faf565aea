/// A MEGA public file link taken apart: `mega.nz/file/<handle>#<key>` or the old
/// `mega.nz/#!<handle>!<key>`. The key is 32 bytes in base64url; the AES-128 key is its two
/// halves XORed, and the CTR nonce is bytes 16..<24 (the counter block: nonce + 8 zero bytes).
struct MEGALink {
    enum Problem: Error {
        case folder
        case notAFileLink
        case noKey
        case badKey
    }

    /// The file's public handle (base64url).
    var handle: String
    /// The 32-byte file key from the link.
    var key: [UInt8]

    init(_ link: ShareLink) throws(Problem) {
        let fragment = link.fragment ?? ""
        if link.segments.first == "folder" || fragment.hasPrefix("F!") { throw .folder }
        let handle: String
        let keyText: String
        if link.segments.first == "file", link.segments.count >= 2 {
            handle = link.segments[1]
            keyText = fragment
        } else if link.segments.isEmpty, fragment.hasPrefix("!") {
            let parts = fragment.dropFirst().split(separator: "!", maxSplits: 1, omittingEmptySubsequences: false)
            handle = String(parts[0])
            keyText = parts.count > 1 ? String(parts[1]) : ""
        } else {
            throw .notAFileLink
        }
        guard (6...16).contains(handle.count), Base64Decoding.url(handle) != nil else { throw .notAFileLink }
        guard !keyText.isEmpty else { throw .noKey }
        guard let key = Base64Decoding.url(keyText), key.count == 32 else { throw .badKey }
        self.handle = handle
        self.key = key
    }

    /// The AES-128 key of the file's data and attributes: key[0..<16] XOR key[16..<32].
    var aesKey: [UInt8] { (0..<16).map { key[$0] ^ key[$0 + 16] } }

    /// The initial CTR block: the nonce key[16..<24], then a 64-bit block counter of 0.
    var counter: [UInt8] { Array(key[16..<24]) + [UInt8](repeating: 0, count: 8) }
}
