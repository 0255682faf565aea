internal import DumpCore

/// Streams one ext4 file's content: its extents read with `pread`, holes and unwritten extents as
/// zeros, cut at the file's size.
struct Ext4FileSource: ByteSource {
    let image: Ext4Image
    let extents: [Ext4Extent]
    let size: UInt64
    private var position: UInt64 = 0
    private var extentIndex = 0

    init(image: Ext4Image, extents: [Ext4Extent], size: UInt64) {
        self.image = image
        self.extents = extents
        self.size = size
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard position < size, buffer.count > 0 else { return 0 }
        let blockSize = image.blockSize
        let block = position / blockSize
        while extentIndex < extents.count, extents[extentIndex].logical + extents[extentIndex].length <= block {
            extentIndex += 1
        }
        var want = UInt64(buffer.count)
        want = min(want, size - position)
        if extentIndex < extents.count, extents[extentIndex].logical <= block, !extents[extentIndex].unwritten {
            let extent = extents[extentIndex]
            let extentEnd = (extent.logical + extent.length) * blockSize
            want = min(want, extentEnd - position)
            let physical = (extent.physical + block - extent.logical) * blockSize + position % blockSize
            try image.read(at: physical, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(want)]))
        } else {
            // A hole (or an unwritten extent): zeros up to the next written data.
            if extentIndex < extents.count {
                let extent = extents[extentIndex]
                let boundary = extent.logical <= block ? (extent.logical + extent.length) * blockSize : extent.logical * blockSize
                want = min(want, boundary - position)
            }
            UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(want)]).initializeMemory(as: UInt8.self, repeating: 0)
        }
        position += want
        return Int(want)
    }
}
