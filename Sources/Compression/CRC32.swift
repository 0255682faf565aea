internal import CZlib

/// A running CRC-32 (the zlib/PNG polynomial), as git pack indexes record per object.
/// The corresponding C function is zlib's `crc32`.
public struct CRC32: Sendable {
    /// The checksum of everything fed so far.
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Feeds bytes into the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var remaining = bytes.count
        var pointer = base.assumingMemoryBound(to: Bytef.self)
        var crc = uLong(value)
        while remaining > 0 {
            let n = min(remaining, Int(UInt32.max))
            crc = crc32(crc, pointer, uInt(n))
            pointer += n
            remaining -= n
        }
        value = UInt32(truncatingIfNeeded: crc)
    }
}
