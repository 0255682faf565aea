public import Foundation

/// The git CLI under a throwaway HOME: its own global config with the LFS filters installed
/// (`git lfs install --skip-repo`), no system config, no prompts, a fixed identity.
public struct GitHome: Sendable {
    public let directory: TemporaryDirectory
    public let environment: [String: String]

    public init() throws {
        directory = try TemporaryDirectory("git-home")
        environment = [
            "HOME": directory.path, "XDG_CONFIG_HOME": directory.file(".config"), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": "rig", "GIT_AUTHOR_EMAIL": "rig@example.com",
            "GIT_COMMITTER_NAME": "rig", "GIT_COMMITTER_EMAIL": "rig@example.com",
        ]
        try git(["lfs", "install", "--skip-repo"])
    }

    /// Runs git; throws unless it exits 0.
    @discardableResult
    public func git(_ arguments: [String], in directory: String? = nil) throws -> ToolOutput {
        try Tool.check("git", arguments, in: directory, environment: environment)
    }

    /// Runs git and returns whatever it did.
    public func attempt(_ arguments: [String], in directory: String? = nil) throws -> ToolOutput {
        try Tool.run("git", arguments, in: directory, environment: environment)
    }

    /// A new work tree on `branch` holding `files` (path → bytes), LFS-tracking `lfs` paths, committed.
    public func commit(_ files: [String: Data], lfs: [String] = [], branch: String) throws -> String {
        let tree = directory.file("tree-\(UUID().uuidString.prefix(8))")
        try git(["init", "-q", "-b", branch, tree])
        for path in lfs { try git(["lfs", "track", path], in: tree) }
        for (path, bytes) in files {
            let url = URL(fileURLWithPath: tree + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try bytes.write(to: url)
        }
        try git(["add", "-A"], in: tree)
        try git(["commit", "-q", "-m", "build \(branch)"], in: tree)
        return tree
    }
}
