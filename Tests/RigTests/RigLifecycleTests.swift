import DumpTestSupport
import Foundation
import Testing

/// `rig.py stop` leaves no process behind: nginx's workers and fcgiwrap's children go with their
/// leaders, on SIGTERM even though the test runner's children start with it blocked.
@Suite struct RigLifecycleTests {
    /// Pids of the live (not zombie) processes in process group `group`.
    static func living(inGroup group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group ? pid : nil
        }
    }

    @Test func stopEndsEveryProcessOfTheRig() throws {
        let rig = try Rig()
        let groups = Array(rig.state.pids.values)
        #expect(groups.count == 3)
        // A git request so that fcgiwrap has started git http-backend at least once.
        _ = try rig.request("GET", rig.url + "/absent.git/info/refs?service=git-upload-pack", body: nil, headers: [])
        #expect(groups.allSatisfy { !Self.living(inGroup: $0).isEmpty }, "running before stop")
        #expect(Self.living(inGroup: rig.state.pids["nginx"] ?? 0).count >= 2, "nginx master and worker")
        let stopping = Date()
        rig.stop()
        #expect(Date().timeIntervalSince(stopping) < 4, "SIGTERM ends it; the SIGKILL fallback waits 5 s")
        #expect(groups.allSatisfy { Self.living(inGroup: $0).isEmpty }, "\(groups.map { Self.living(inGroup: $0) })")
        #expect(throws: RigFailed.self, "nothing listens") {
            try rig.request("GET", rig.url + "/-/rig/health", body: nil, headers: [])
        }
    }
}
