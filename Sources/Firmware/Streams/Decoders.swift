internal import Compression
internal import DumpCore

/// The stream decoder for each compressed-stream format the unpacker opens.
enum Decoders {
    /// A fresh decoder for `format`, nil when the codec cannot start (out of memory).
    static func make(_ format: ContentKind.Compression) -> (any StreamDecoder)? {
        switch format {
        case .gzip: try? GzipDecoder()
        case .lz4: try? Lz4FrameDecoder()
        case .xz: try? XzDecoder()
        case .bzip2: try? Bzip2Decoder()
        case .zstd: try? ZstdDecoder()
        }
    }
}
