/// One file of a partition's tree, as a reader lists it before any content is read.
public struct TreeFile: Sendable, Hashable {
    /// What the file is.
    public enum Kind: Sendable, Hashable {
        /// A regular file; `executable` when any execute bit is set.
        case regular(executable: Bool)
        /// A symbolic link and its target bytes (its content in git).
        case symlink(target: [UInt8])
    }

    /// The path relative to the partition's root.
    public var path: RepoPath
    public var kind: Kind
    /// The content size in bytes.
    public var size: UInt64
    /// The reader's own handle for the file (an inode number, an index).
    public var token: UInt64

    public init(path: RepoPath, kind: Kind, size: UInt64, token: UInt64) {
        self.path = path
        self.kind = kind
        self.size = size
        self.token = token
    }

    /// The git mode of the file.
    public var mode: FileMode {
        switch kind {
        case .regular(let executable): executable ? .executable : .regular
        case .symlink: .symlink
        }
    }
}

/// A partition's file tree, readable from several threads at once: first the listing, then each
/// regular file's bytes on demand.
public protocol FileTreeSource: Sendable {
    /// Every regular file and symlink, and the paths of entries git cannot hold (devices, fifos, sockets).
    func listFiles() throws -> (files: [TreeFile], skipped: [String])
    /// A fresh reader of a regular file's content; may be called again for a second pass.
    func openFile(_ file: TreeFile) throws -> any ByteSource
}
