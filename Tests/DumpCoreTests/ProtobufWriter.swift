/// A tiny protobuf encoder for building manifests in tests (the reverse of ProtobufReader).
struct ProtobufWriter {
    var bytes: [UInt8] = []

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        return out + [UInt8(v)]
    }

    mutating func int(_ field: UInt64, _ value: UInt64) { bytes += Self.varint(field << 3) + Self.varint(value) }
    mutating func data(_ field: UInt64, _ value: [UInt8]) { bytes += Self.varint(field << 3 | 2) + Self.varint(UInt64(value.count)) + value }
    mutating func message(_ field: UInt64, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        data(field, inner.bytes)
    }
    mutating func fixed64(_ field: UInt64, _ value: UInt64) {
        bytes += Self.varint(field << 3 | 1) + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
    mutating func fixed32(_ field: UInt64, _ value: UInt32) {
        bytes += Self.varint(field << 3 | 5) + (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// Builders for manifest pieces, by update_metadata.proto field number.
enum ManifestBytes {
    struct Op {
        var type: UInt64 = 0
        var dataOffset: UInt64 = 0
        var dataLength: UInt64 = 4096
        var dst: [(UInt64, UInt64)] = [(0, 1)]
        var src: [(UInt64, UInt64)] = []
        var hash: [UInt8]? = nil
    }

    struct Part {
        var name = "system"
        var size: UInt64? = 4096 * 16
        var hash: [UInt8]? = nil
        var ops: [Op] = [Op()]
        var hashTree: (UInt64, UInt64)? = nil
        var fec: (UInt64, UInt64)? = nil
    }

    static func extent(_ w: inout ProtobufWriter, _ field: UInt64, _ e: (UInt64, UInt64)) {
        w.message(field) { $0.int(1, e.0); $0.int(2, e.1) }
    }

    static func manifest(_ parts: [Part], blockSize: UInt64 = 4096, minor: UInt64? = nil, partial: Bool = false) -> [UInt8] {
        var w = ProtobufWriter()
        w.int(3, blockSize)
        if let minor { w.int(12, minor) }
        for part in parts {
            w.message(13) { p in
                p.data(1, Array(part.name.utf8))
                p.data(4, Array("ext4".utf8))  // an unknown-to-us field, skipped
                if part.size != nil || part.hash != nil {
                    p.message(7) { info in
                        if let size = part.size { info.int(1, size) }
                        if let hash = part.hash { info.data(2, hash) }
                    }
                }
                for op in part.ops {
                    p.message(8) { o in
                        o.int(1, op.type)
                        o.int(2, op.dataOffset)
                        o.int(3, op.dataLength)
                        for e in op.src { extent(&o, 4, e) }
                        for e in op.dst { extent(&o, 6, e) }
                        if let hash = op.hash { o.data(8, hash) }
                    }
                }
                if let t = part.hashTree { extent(&p, 11, t) }
                if let f = part.fec { extent(&p, 15, f) }
            }
        }
        if partial { w.int(16, 1) }
        w.int(14, 1_700_000_000)  // max_timestamp, skipped
        return w.bytes
    }
}
