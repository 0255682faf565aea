import DumpCore
import Testing

@Suite struct PayloadHeaderTests {
    static func header(magic: String = "CrAU", version: UInt64 = 2, manifest: UInt64 = 100, signature: UInt32 = 10) -> [UInt8] {
        func be(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        return Array(magic.utf8) + be(version, 8) + be(manifest, 8) + be(UInt64(signature), 4)
    }

    @Test func parsesAVersion2Header() throws {
        let h = try PayloadHeader.parse(Self.header(), payloadSize: 1000)
        #expect(h.manifestSize == 100)
        #expect(h.metadataSignatureSize == 10)
        #expect(h.dataOffset == 134)
    }

    @Test(arguments: [
        (PayloadHeaderTests.header(magic: "PK\u{3}\u{4}"), UInt64(1000), "no CrAU magic"),
        (PayloadHeaderTests.header(version: 1), 1000, "version 1 (Chrome OS)"),
        (PayloadHeaderTests.header(version: 3), 1000, "unknown version"),
        (Array(PayloadHeaderTests.header().prefix(10)), 10, "truncated"),
        (PayloadHeaderTests.header(manifest: 1 << 40), 1 << 41, "manifest size"),
        (PayloadHeaderTests.header(manifest: UInt64.max), 1000, "manifest size"),
        (PayloadHeaderTests.header(signature: UInt32.max), 1 << 33, "signature size"),
        (PayloadHeaderTests.header(manifest: 2000), 1000, "payload is truncated"),
    ] as [([UInt8], UInt64, String)])
    func refusesBadHeaders(bytes: [UInt8], size: UInt64, fragment: String) {
        let error = #expect(throws: PayloadFormatError.self) { try PayloadHeader.parse(bytes, payloadSize: size) }
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.offset != nil)
    }
}
