internal import Compression
internal import DumpCore

/// The stream decoder for each compressed-stream format the unpacker opens.
enum Decoders {
    /// A fresh decoder for `format`, nil when dumpyard cannot decode it (the member is kept as it is).
    static func make(_ format: ContentKind.Compression) -> (any StreamDecoder)? {
        switch format {
        case .gzip: try? GzipDecoder()
        case .lz4: try? Lz4FrameDecoder()
        case .xz, .bzip2, .zstd: nil
        }
    }
}
