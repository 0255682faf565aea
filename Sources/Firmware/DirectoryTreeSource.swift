#if canImport(Glibc)
internal import Glibc
#endif
public import DumpCore

/// A directory on disk (a partition extracted by a tool) as a `FileTreeSource`. The walk never
/// follows a symlink; names are kept as raw bytes.
public struct DirectoryTreeSource: FileTreeSource {
    /// The directory.
    public let root: String

    public init(root: String) { self.root = root }

    public func listFiles() throws -> (files: [TreeFile], skipped: [String]) {
        var files: [TreeFile] = []
        var skipped: [String] = []
        try walk(relative: [], files: &files, skipped: &skipped)
        return (files, skipped)
    }

    public func openFile(_ file: TreeFile) throws -> any ByteSource {
        try FileSource(pathBytes: absolute(file.path.bytes))
    }

    private func absolute(_ relative: [UInt8]) -> [UInt8] {
        relative.isEmpty ? Array(root.utf8) : Array(root.utf8) + [UInt8(ascii: "/")] + relative
    }

    private func walk(relative: [UInt8], files: inout [TreeFile], skipped: inout [String]) throws {
        let directory = absolute(relative)
        let display = relative.isEmpty ? "/" : DisplayName.of(relative)
        guard let dir = withCPath(directory, { opendir($0) }) else {
            throw FirmwareError(file: display, cause: "cannot open the extracted directory: \(String(cString: strerror(errno)))")
        }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        closedir(dir)
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let childRelative = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
            let childAbsolute = absolute(childRelative)
            var st = stat()
            guard withCPath(childAbsolute, { lstat($0, &st) }) == 0 else {
                throw FirmwareError(file: DisplayName.of(childRelative), cause: String(cString: strerror(errno)))
            }
            // The names come from the image: the same rules as every other path of a dump.
            let path: RepoPath
            do { path = try RepoPath.validated(childRelative) } catch {
                throw FirmwareError(file: DisplayName.of(childRelative), cause: error.description)
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(relative: childRelative, files: &files, skipped: &skipped)
            case S_IFREG:
                let executable = st.st_mode & 0o111 != 0
                files.append(TreeFile(path: path, kind: .regular(executable: executable), size: UInt64(st.st_size), token: UInt64(files.count)))
            case S_IFLNK:
                var target = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = withCPath(childAbsolute) { cpath in
                    target.withUnsafeMutableBufferPointer {
                        $0.withMemoryRebound(to: CChar.self) { readlink(cpath, $0.baseAddress!, $0.count) }
                    }
                }
                guard n >= 0 else {
                    throw FirmwareError(file: DisplayName.of(childRelative), cause: "cannot read symlink: \(String(cString: strerror(errno)))")
                }
                let bytes = Array(target[0..<n])
                files.append(TreeFile(path: path, kind: .symlink(target: bytes), size: UInt64(n), token: UInt64(files.count)))
            default:
                skipped.append(path.description)
            }
        }
    }
}

func withCPath<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
    (bytes + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
}
