internal import Crypto

extension ContentDecryption {
    /// The AES-128-CTR stream positioned at byte `offset` of the content: the counter block
    /// advanced by `offset / 16` (big-endian, carrying across the block), the first `offset % 16`
    /// keystream bytes spent. Parts and resumed connections decrypt from where they start.
    func cipher(at offset: UInt64) throws(DownloadError) -> AES128CTR {
        var block = counter
        var carry = offset / 16
        var index = block.count - 1
        while carry > 0 && index >= 0 {
            let sum = UInt64(block[index]) + (carry & 0xFF)
            block[index] = UInt8(sum & 0xFF)
            carry = (carry >> 8) + (sum >> 8)
            index -= 1
        }
        do {
            let cipher = try AES128CTR(key: key, counter: block)
            var skip = [UInt8](repeating: 0, count: Int(offset % 16))
            if !skip.isEmpty { cipher.apply(&skip) }
            return cipher
        } catch {
            throw DownloadError(host: "", message: "cannot set up decryption: \(error)", retryable: false)
        }
    }
}
