import Download
import Foundation

/// `dumpyard-bench download <url> <dir> <connections>`: one download into `dir`, printing one JSON
/// line with seconds, bytes, MB/s and the SHA-256 (computed on the way, as in a job).
enum DownloadBench {
    static func run(_ arguments: [String]) {
        guard arguments.count == 4, let connections = Int(arguments[3]) else {
            fail("usage: dumpyard-bench download <url> <dir> <connections>")
        }
        var options = DownloadOptions()
        options.connections = connections
        options.reserve = 0
        options.policy = AddressPolicy(allowsEverything: true)
        let started = ContinuousClock.now
        do {
            let result = try Downloader(options: options).download(arguments[1], into: arguments[2], createDirectory: true)
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(String(
                format: "{\"seconds\":%.3f,\"bytes\":%llu,\"mb_per_s\":%.1f,\"connections\":%d,\"sha256\":\"%@\"}", seconds, result.size,
                Double(result.size) / seconds / 1e6, result.connections, result.sha256))
        } catch {
            fail("download failed: \(error)")
        }
    }
}
