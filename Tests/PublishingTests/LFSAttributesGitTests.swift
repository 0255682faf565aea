import DumpCore
import DumpTestSupport
import Foundation
import Testing

/// The `.gitattributes` dumpyard writes, read by the real git: each listed path goes through the
/// LFS filter, and nothing else does (escapes hold).
@Suite struct LFSAttributesGitTests {
    @Test func gitRoutesExactlyTheListedPathsThroughLFS() throws {
        let listed = ["system/app/big.apk", "vendor/fw [v2]*.bin", "odd/#hash !bang", "back\\slash?.img", "ünï/cödé.bin", "a/b c\td.bin"]
        let unlisted = ["vendor/fw [v2]X.bin", "vendor/fw v.bin", "odd/#hash", "back/slash?.img", "system/app/big.apk.bak", "x/system/app/big.apk"]
        let directory = try TemporaryDirectory("lfs-attributes")
        try Tool.check("git", ["init", "-q", directory.path])
        try Data(LFSAttributes.file(for: listed.map { RepoPath($0) })).write(to: URL(fileURLWithPath: directory.file(".gitattributes")))
        let output = try Tool.check("git", ["-C", directory.path, "-c", "core.quotePath=false", "check-attr", "-z", "filter", "--"] + listed + unlisted).stdout
        // -z: path NUL attribute NUL value NUL …
        let fields = output.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        var values: [String: String] = [:]
        for index in stride(from: 0, to: fields.count - 2, by: 3) { values[fields[index]] = fields[index + 2] }
        for path in listed { #expect(values[path] == "lfs", "\(path): \(values[path] ?? "nil")") }
        for path in unlisted { #expect(values[path] == "unspecified", "\(path): \(values[path] ?? "nil")") }
    }
}
