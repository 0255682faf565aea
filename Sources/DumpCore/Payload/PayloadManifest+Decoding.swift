extension PayloadManifest {
    /// Limits that keep a hostile manifest from costing unbounded memory or time.
    public static let maximumPartitions = 1024
    public static let maximumOperations = 1 << 22
    public static let maximumExtentsPerOperation = 1 << 16

    /// Decodes a manifest read from `baseOffset` of the payload (error offsets are payload offsets).
    /// Unknown fields are skipped; counts beyond the limits above are refused.
    public static func decode(_ bytes: [UInt8], baseOffset: UInt64 = UInt64(PayloadHeader.size)) throws(PayloadFormatError) -> PayloadManifest {
        do {
            return try decode(ProtobufReader(bytes))
        } catch {
            var moved = error
            moved.offset = error.offset.map { $0 + baseOffset }
            throw moved
        }
    }

    private static func decode(_ message: ProtobufReader) throws(PayloadFormatError) -> PayloadManifest {
        var reader = message
        var manifest = PayloadManifest()
        var operationCount = 0
        while let field = try reader.next() {
            switch field.number {
            case 1, 2: manifest.legacyOperationCount += 1
            case 3: manifest.blockSize = try reader.integer32(field)
            case 12: manifest.minorVersion = try reader.integer32(field)
            case 13:
                guard manifest.partitions.count < maximumPartitions else {
                    throw PayloadFormatError(offset: UInt64(field.offset), cause: "manifest lists more than \(maximumPartitions) partitions")
                }
                let partition = try PayloadPartitionUpdate.decode(try reader.message(field), operationCount: &operationCount)
                manifest.partitions.append(partition)
            case 16: manifest.partialUpdate = try reader.integer(field) != 0
            default: break
            }
        }
        return manifest
    }
}

extension PayloadPartitionUpdate {
    fileprivate static func decode(_ message: ProtobufReader, operationCount: inout Int) throws(PayloadFormatError) -> PayloadPartitionUpdate {
        var reader = message
        var partition = PayloadPartitionUpdate()
        while let field = try reader.next() {
            switch field.number {
            case 1: partition.name = try reader.string(field)
            case 7:
                var info = try reader.message(field)
                while let sub = try info.next() {
                    if sub.number == 1 { partition.newSize = try info.integer(sub) }
                    if sub.number == 2 { partition.newHash = try info.bytes(sub) }
                }
            case 8:
                operationCount += 1
                guard operationCount <= PayloadManifest.maximumOperations else {
                    throw PayloadFormatError(offset: UInt64(field.offset), cause: "manifest lists more than \(PayloadManifest.maximumOperations) operations")
                }
                partition.operations.append(try PayloadOperation.decode(try reader.message(field)))
            case 10: partition.hashTreeDataExtent = try PayloadExtent.decode(try reader.message(field))
            case 11: partition.hashTreeExtent = try PayloadExtent.decode(try reader.message(field))
            case 14: partition.fecDataExtent = try PayloadExtent.decode(try reader.message(field))
            case 15: partition.fecExtent = try PayloadExtent.decode(try reader.message(field))
            default: break
            }
        }
        return partition
    }
}

extension PayloadOperation {
    fileprivate static func decode(_ message: ProtobufReader) throws(PayloadFormatError) -> PayloadOperation {
        var reader = message
        var operation = PayloadOperation()
        var sawType = false
        while let field = try reader.next() {
            switch field.number {
            case 1:
                operation.type = PayloadOperationType(rawValue: try reader.integer(field))
                sawType = true
            case 2: operation.dataOffset = try reader.integer(field)
            case 3: operation.dataLength = try reader.integer(field)
            case 4, 6:
                guard operation.sourceExtents.count + operation.destinationExtents.count < PayloadManifest.maximumExtentsPerOperation else {
                    throw PayloadFormatError(offset: UInt64(field.offset), cause: "an operation lists more than \(PayloadManifest.maximumExtentsPerOperation) extents")
                }
                let extent = try PayloadExtent.decode(try reader.message(field))
                if field.number == 4 { operation.sourceExtents.append(extent) } else { operation.destinationExtents.append(extent) }
            case 8: operation.dataSHA256 = try reader.bytes(field)
            default: break
            }
        }
        guard sawType else {
            throw PayloadFormatError(offset: UInt64(message.startOffset), cause: "malformed manifest: an operation has no type")
        }
        return operation
    }
}

extension PayloadExtent {
    fileprivate static func decode(_ message: ProtobufReader) throws(PayloadFormatError) -> PayloadExtent {
        var reader = message
        var extent = PayloadExtent(startBlock: 0, blockCount: 0)
        while let field = try reader.next() {
            if field.number == 1 { extent.startBlock = try reader.integer(field) }
            if field.number == 2 { extent.blockCount = try reader.integer(field) }
        }
        return extent
    }
}
