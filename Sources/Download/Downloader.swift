internal import Foundation
internal import HTTP
internal import Synchronization

/// Downloads a firmware with libcurl: share links resolved to a direct URL, every address checked
/// against the policy (on each redirect too, and the checked address is the one connected to),
/// one connection or several ranged ones, drops and stalls resumed with `Range`, free space and
/// size checked, the SHA-256 computed as the bytes arrive.
public struct Downloader: Sendable {
    public var options: DownloadOptions
    /// Share-link resolvers, tried in order (hosts none handles are downloaded as given).
    public var resolvers: [any LinkResolver]

    public init(options: DownloadOptions = DownloadOptions(), resolvers: [any LinkResolver] = []) {
        self.options = options
        self.resolvers = resolvers
    }

    /// Downloads `url` into `directory`. `progress` is called a few times a second;
    /// `isCancelled` is asked as often, and true stops the download.
    public func download(
        _ url: String, into directory: String, createDirectory: Bool = false, progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in },
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) throws(DownloadError) -> DownloadResult {
        let started = ContinuousClock.now
        if createDirectory {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw DownloadError(host: "", message: "cannot create \(directory): \(error.localizedDescription)", retryable: true)
            }
        }
        let deadline = started + options.totalTimeout
        let session = Session(options: options, deadline: deadline, isCancelled: isCancelled)
        let direct = try resolve(url, session: session)
        let source = try session.open(direct)
        if let size = source.size, size > options.maximumSize {
            throw DownloadError(host: source.host, message: "the file is \(size) bytes, more than the limit of \(options.maximumSize)", retryable: false)
        }
        if let size = source.size, let free = DownloadTarget.freeSpace(in: directory), free < size + options.reserve {
            throw DownloadError(
                host: source.host, message: "not enough disk space in \(directory): the file needs \(size) bytes and \(options.reserve) kept free, \(free) are free",
                retryable: true)
        }
        let target = try DownloadTarget(directory: directory, fileName: DownloadTarget.safeName(direct.fileName ?? source.fileName))
        var kept = false
        defer { if !kept { unlink(target.path) } }
        let transfer = try RangedTransfer(source: source, target: target, session: session, decryption: direct.decryption, progress: progress)
        let (digest, connections, resumes) = try transfer.run()
        kept = true
        return DownloadResult(
            path: target.path, fileName: (target.path as NSString).lastPathComponent, size: transfer.received, sha256: digest,
            host: source.host, connections: connections, resumes: resumes, seconds: (ContinuousClock.now - started).seconds)
    }

    /// Follows the share-link resolver for `url`, if one handles it, to a direct download.
    func resolve(_ url: String, session: Session) throws(DownloadError) -> DirectDownload {
        guard let resolver = resolvers.first(where: { $0.handles(url) }) else { return DirectDownload(url: url) }
        var pages: [FetchedPage] = []
        for _ in 0..<8 {
            switch resolver.next(for: url, after: pages) {
            case .download(let direct): return direct
            case .failure(let reason):
                throw DownloadError(host: HTTPTransfer.host(of: url), message: "\(resolver.name): \(reason)", retryable: false)
            case .fetch(let request): pages.append(try session.fetchPage(request))
            }
        }
        throw DownloadError(host: HTTPTransfer.host(of: url), message: "\(resolver.name): the link did not resolve after 8 requests", retryable: false)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
