import DumpCore
import Testing

@Suite struct ProtobufReaderTests {
    @Test func readsEveryWireType() throws {
        var w = ProtobufWriter()
        w.int(1, 300)
        w.int(2, UInt64.max)
        w.fixed64(3, 0x0102_0304_0506_0708)
        w.data(4, [9, 8, 7])
        w.fixed32(5, 0xDEAD_BEEF)
        var r = ProtobufReader(w.bytes)
        var fields: [ProtobufReader.Field] = []
        while let f = try r.next() { fields.append(f) }
        #expect(fields.map(\.number) == [1, 2, 3, 4, 5])
        #expect(try r.integer(fields[0]) == 300)
        #expect(try r.integer(fields[1]) == UInt64.max)
        #expect(try r.integer(fields[2]) == 0x0102_0304_0506_0708)
        #expect(try r.bytes(fields[3]) == [9, 8, 7])
        #expect(try r.integer(fields[4]) == 0xDEAD_BEEF)
        #expect(throws: PayloadFormatError.self) { try r.integer32(fields[1]) }
        #expect(throws: PayloadFormatError.self) { try r.bytes(fields[0]) }
    }

    @Test(arguments: [
        ([0x0A, 0x05, 1, 2], "claims 5 bytes"),  // length past the end
        ([0x08, 0xFF, 0xFF], "past the end"),  // truncated varint
        ([0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01], "longer than 64 bits"),
        ([0x0B], "wire type 3"),  // group start
        ([0x00, 0x00], "field number 0"),
        ([0x09, 1, 2, 3], "64-bit value"),
    ] as [([UInt8], String)])
    func refusesMalformedInput(bytes: [UInt8], fragment: String) {
        var r = ProtobufReader(bytes)
        let error = #expect(throws: PayloadFormatError.self) { while try r.next() != nil {} }
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func refusesDeepNesting() throws {
        var bytes: [UInt8] = [0x08, 0x01]
        for _ in 0..<40 { bytes = [0x0A] + ProtobufWriter.varint(UInt64(bytes.count)) + bytes }
        func descend(_ r: ProtobufReader) throws {
            var r = r
            while let f = try r.next() {
                if case .bytes = f.value { try descend(try r.message(f)) }
            }
        }
        let error = #expect(throws: PayloadFormatError.self) { try descend(ProtobufReader(bytes)) }
        #expect(error?.cause.contains("nest deeper") == true)
    }
}
