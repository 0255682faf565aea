/// The fixed header of an update_engine payload (`payload.bin`), big-endian:
/// magic `CrAU` @0, major version (u64) @4, manifest size (u64) @12, metadata signature size
/// (u32) @20; the manifest follows at 24, then the metadata signature, then the data blobs.
/// Only major version 2 (every Android A/B payload) is read.
public struct PayloadHeader: Sendable, Hashable {
    /// The header's length in bytes.
    public static let size = 24
    /// Manifests beyond this are refused (real ones are well under 1 MiB).
    public static let maximumManifestSize: UInt64 = 64 << 20
    /// Metadata signatures beyond this are refused (real ones are a few hundred bytes).
    public static let maximumSignatureSize: UInt32 = 1 << 20

    public var majorVersion: UInt64
    public var manifestSize: UInt64
    public var metadataSignatureSize: UInt32

    /// Where the manifest starts.
    public var manifestOffset: UInt64 { UInt64(Self.size) }
    /// Where the operations' data blobs start (their `data_offset` is relative to this).
    public var dataOffset: UInt64 { UInt64(Self.size) + manifestSize + UInt64(metadataSignatureSize) }

    /// Parses the first 24 bytes of a payload of `payloadSize` bytes; checks that the manifest and
    /// its signature fit inside it.
    public static func parse(_ bytes: [UInt8], payloadSize: UInt64) throws(PayloadFormatError) -> PayloadHeader {
        guard bytes.count >= size, payloadSize >= UInt64(size) else {
            throw PayloadFormatError(offset: 0, cause: "payload is truncated: \(min(UInt64(bytes.count), payloadSize)) bytes, shorter than its 24-byte header")
        }
        guard bytes[0..<4].elementsEqual("CrAU".utf8) else {
            throw PayloadFormatError(offset: 0, cause: "not an update_engine payload (no CrAU magic)")
        }
        let version = bigEndian(bytes, at: 4, count: 8)
        guard version == 2 else {
            let why = version == 1 ? "version 1 (Chrome OS) payloads are not supported" : "unknown version"
            throw PayloadFormatError(offset: 4, cause: "payload major version \(version): \(why); only version 2 is read")
        }
        let header = PayloadHeader(
            majorVersion: version, manifestSize: bigEndian(bytes, at: 12, count: 8),
            metadataSignatureSize: UInt32(bigEndian(bytes, at: 20, count: 4)))
        guard header.manifestSize > 0, header.manifestSize <= maximumManifestSize else {
            throw PayloadFormatError(offset: 12, cause: "manifest size \(header.manifestSize) is outside 1…\(maximumManifestSize) bytes")
        }
        guard header.metadataSignatureSize <= maximumSignatureSize else {
            throw PayloadFormatError(offset: 20, cause: "metadata signature size \(header.metadataSignatureSize) is larger than \(maximumSignatureSize) bytes")
        }
        // Both sizes are bounded above, so the sum cannot overflow.
        guard header.dataOffset <= payloadSize else {
            throw PayloadFormatError(
                offset: 12,
                cause: "payload is truncated: manifest and signature end at \(header.dataOffset) but the payload has \(payloadSize) bytes")
        }
        return header
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes[offset..<(offset + count)] { value = value << 8 | UInt64(byte) }
        return value
    }
}
