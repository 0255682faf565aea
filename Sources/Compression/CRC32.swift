internal import CIsal

/// A running CRC-32 (the zlib/PNG polynomial), as zip members and git pack indexes record it.
/// Computed by ISA-L's `crc32_gzip_refl` (carry-less multiply: several GB/s, so checking a
/// stored multi-GB zip member costs a fraction of a second).
public struct CRC32: Sendable {
    /// The checksum of everything fed so far.
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Feeds bytes into the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var remaining = bytes.count
        var pointer = base.assumingMemoryBound(to: UInt8.self)
        while remaining > 0 {
            let n = min(remaining, 1 << 30)
            value = crc32_gzip_refl(value, pointer, UInt64(n))
            pointer += n
            remaining -= n
        }
    }
}
