extension PayloadPlan {
    /// A block range `[start, end)` written by operation `operation`.
    private struct Run: Comparable {
        var start: UInt64
        var end: UInt64
        var operation: Int
        static func < (a: Run, b: Run) -> Bool { (a.start, a.end) < (b.start, b.end) }
    }

    /// Checks one partition: size, every operation's extents and blob, overlaps, hash fields.
    static func check(_ update: PayloadPartitionUpdate, blockSize: UInt64, dataAreaSize: UInt64, limits: Limits) throws(PayloadFormatError)
        -> Partition
    {
        let name = update.name
        guard let size = update.newSize else { throw PayloadFormatError(cause: "partition \(name) has no new_partition_info size") }
        guard size <= limits.maximumPartitionSize else {
            throw PayloadFormatError(cause: "partition \(name) claims \(size) bytes, more than the \(limits.maximumPartitionSize >> 30) GiB limit")
        }
        if let hash = update.newHash, !hash.isEmpty, hash.count != 32 {
            throw PayloadFormatError(cause: "partition \(name) has a \(hash.count)-byte hash; SHA-256 has 32")
        }
        let blocks = (size + blockSize - 1) / blockSize
        var runs: [Run] = []
        var decoded: UInt64 = 0
        var zero: UInt64 = 0
        for (index, operation) in update.operations.enumerated() {
            let what = "partition \(name) operation \(index) (\(operation.type))"
            guard !operation.destinationExtents.isEmpty else { throw PayloadFormatError(cause: "\(what) has no destination extents") }
            var opBlocks: UInt64 = 0
            for extent in operation.destinationExtents {
                let (end, overflow) = extent.startBlock.addingReportingOverflow(extent.blockCount)
                guard extent.blockCount > 0, !overflow, end <= blocks else {
                    throw PayloadFormatError(
                        cause: "\(what) writes blocks \(extent.startBlock)+\(extent.blockCount), outside the partition's \(blocks) blocks")
                }
                opBlocks += extent.blockCount  // bounded by extents count × blocks: no overflow
                runs.append(Run(start: extent.startBlock, end: end, operation: index))
            }
            let opBytes = opBlocks * blockSize
            if operation.type.carriesData {
                let (blobEnd, overflow) = operation.dataOffset.addingReportingOverflow(operation.dataLength)
                guard operation.dataLength > 0, !overflow, blobEnd <= dataAreaSize else {
                    throw PayloadFormatError(
                        cause: "\(what) blob \(operation.dataOffset)+\(operation.dataLength) lies outside the payload's \(dataAreaSize) data bytes")
                }
                if operation.type == .replace, operation.dataLength > opBytes {
                    throw PayloadFormatError(cause: "\(what) carries \(operation.dataLength) bytes for \(opBytes) bytes of extents")
                }
                if let hash = operation.dataSHA256, !hash.isEmpty, hash.count != 32 {
                    throw PayloadFormatError(cause: "\(what) has a \(hash.count)-byte data hash; SHA-256 has 32")
                }
                decoded += opBytes
            } else {
                zero += opBytes
            }
        }
        let covered = try merge(runs, partition: name)
        var wholeImageHashApplies = true
        for extent in [update.hashTreeExtent, update.fecExtent].compactMap({ $0 }) where extent.blockCount > 0 {
            let (end, overflow) = extent.startBlock.addingReportingOverflow(extent.blockCount)
            guard !overflow, end <= blocks else {
                throw PayloadFormatError(cause: "partition \(name) declares hash tree or FEC blocks \(extent.startBlock)+\(extent.blockCount) outside its \(blocks) blocks")
            }
            if !isCovered(extent.startBlock..<end, by: covered) { wholeImageHashApplies = false }
        }
        return Partition(update: update, size: size, decodedBytes: decoded, zeroBytes: zero, wholeImageHashApplies: wholeImageHashApplies)
    }

    /// Sorts the written runs, refuses overlaps (two operations writing one block), and returns
    /// the union as maximal ranges.
    private static func merge(_ runs: [Run], partition: String) throws(PayloadFormatError) -> [Range<UInt64>] {
        var merged: [Range<UInt64>] = []
        var previous: Run?
        for run in runs.sorted() {
            if let previous, run.start < previous.end {
                throw PayloadFormatError(
                    cause: "partition \(partition) operations \(previous.operation) and \(run.operation) both write block \(run.start)")
            }
            if let last = merged.last, last.upperBound == run.start {
                merged[merged.count - 1] = last.lowerBound..<run.end
            } else {
                merged.append(run.start..<run.end)
            }
            previous = run
        }
        return merged
    }

    private static func isCovered(_ range: Range<UInt64>, by merged: [Range<UInt64>]) -> Bool {
        // The last merged range starting at or before range.lowerBound must reach its end.
        var low = 0
        var high = merged.count
        while low < high {
            let mid = (low + high) / 2
            if merged[mid].lowerBound <= range.lowerBound { low = mid + 1 } else { high = mid }
        }
        return low > 0 && merged[low - 1].upperBound >= range.upperBound
    }
}
