// swift-tools-version:6.2
// dumpyard — dumps Android firmware into git. The manifest is the module map of docs/architecture.md:
// dependencies point down only (L5 → L0).
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "dumpyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dumpyard", targets: ["dumpyard"])
    ],
    targets: [
        // MARK: - L0 C modules (module map + shim.h only)
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CIsal", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlidec", providers: [.apt(["libbrotli-dev"])]),
        .systemLibrary(name: "CLz4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CLzma", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CBzip2", providers: [.apt(["libbz2-dev"])]),  // bzip2 ships no .pc file
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // hiredis.pc adds a -D flag SwiftPM refuses to pass on: the module map links it directly.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // MARK: - L1 one Swift wrapper per C library
        /** libgit2: repositories, object database, index → tree, commits, refs, packbuilder. */
        .target(name: "Git", dependencies: ["CGit2"], swiftSettings: strictSettings),
        /** libarchive: streaming reads of zip (and later tar, 7z) containers. */
        .target(name: "Archive", dependencies: ["CArchive"], swiftSettings: strictSettings),
        /** OpenSSL EVP: SHA-1 and SHA-256, streaming; AES-128-CTR (streaming) and AES-128-CBC (MEGA). */
        .target(name: "Crypto", dependencies: ["COpenSSL"], swiftSettings: strictSettings),
        /** zlib inflate and CRC-32, ISA-L igzip deflate into zlib streams; the stream decoders
            (gzip, brotli, LZ4 frame, xz, bzip2, zstd). */
        .target(
            name: "Compression", dependencies: ["CZlib", "CIsal", "CBrotli", "CLz4", "CLzma", "CBzip2", "CZstd"],
            swiftSettings: strictSettings),

        /** libcurl: HTTP(S) transfers with timeouts, ranges, pinned addresses; no redirects followed. */
        .target(name: "HTTP", dependencies: ["CCurl"], swiftSettings: strictSettings),
        /** hiredis 0.14: connections, binary-safe commands, pipelines, interruptible waits. */
        .target(name: "Redis", dependencies: ["CHiredis"], swiftSettings: strictSettings),

        // MARK: - L2 pure domain
        /** Pure rules: properties, naming, manifest, content detection, progress steps. No I/O. */
        .target(name: "DumpCore", swiftSettings: strictSettings),

        // MARK: - L3 adapters, one job each
        /** Containers, sparse images and partition readers: firmware bytes in, files out. */
        .target(
            name: "Firmware", dependencies: ["DumpCore", "Archive", "Compression", "Crypto"],
            swiftSettings: strictSettings),
        /** The content-addressed staging store shared by all dumps. */
        .target(name: "Staging", dependencies: ["DumpCore", "Crypto", "Compression"], swiftSettings: strictSettings),
        /** Downloads: share-link resolvers (pure), the URL policy, the resumable ranged downloader. */
        .target(name: "Download", dependencies: ["DumpCore", "Crypto", "HTTP"], swiftSettings: strictSettings),
        /** The Redis job queue: one Lua script per transition, leases, fencing. */
        .target(name: "JobQueue", dependencies: ["Redis"], swiftSettings: strictSettings),
        /** GitLab's REST API v4 over the HTTP wrapper: groups, projects, branches, trees, files; retries and timeouts. */
        .target(name: "GitLab", dependencies: ["HTTP"], swiftSettings: strictSettings),
        /** The Telegram Bot API over the HTTP wrapper: deadlines, retry_after, "not modified" as success. */
        .target(name: "Telegram", dependencies: ["HTTP"], swiftSettings: strictSettings),
        /** Git side of a dump: pack from the store, tree and commit with libgit2, bundles. */
        .target(
            name: "Publishing", dependencies: ["DumpCore", "Git", "Crypto", "Compression", "HTTP"],
            swiftSettings: strictSettings),

        // MARK: - L4 composition
        /** Configuration, the dump pipeline, CLI commands and their output. */
        .target(
            name: "DumpService",
            dependencies: ["DumpCore", "Firmware", "Staging", "Publishing", "Git", "JobQueue", "Redis", "Download", "HTTP", "GitLab", "Telegram"],
            swiftSettings: strictSettings),

        // MARK: - L5 executable
        .executableTarget(name: "dumpyard", dependencies: ["DumpService"], swiftSettings: strictSettings),
        /** Benchmarks of single stages (payload extraction, decode floor, job queue), run by scripts/bench-*.sh. */
        .executableTarget(
            name: "dumpyard-bench", dependencies: ["Firmware", "Compression", "DumpCore", "JobQueue", "Redis", "Download"],
            swiftSettings: strictSettings),

        // MARK: - Tests
        /** Shared test helpers: temp directories, fixture paths, running real tools. */
        .target(name: "DumpTestSupport", dependencies: ["DumpCore"], path: "Tests/DumpTestSupport", swiftSettings: strictSettings),
        .testTarget(name: "DumpCoreTests", dependencies: ["DumpCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "WrapperTests", dependencies: ["Git", "Archive", "Crypto", "Compression", "Redis", "DumpTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FirmwareTests", dependencies: ["Firmware", "DumpCore", "DumpTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "StagingTests", dependencies: ["Staging", "DumpCore", "DumpTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "PublishingTests", dependencies: ["Publishing", "Staging", "DumpCore", "Git", "DumpTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(name: "TelegramTests", dependencies: ["Telegram", "DumpCore", "DumpTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "GitLabTests", dependencies: ["GitLab", "HTTP", "DumpTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "JobQueueTests", dependencies: ["JobQueue", "Redis", "DumpTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "DownloadTests", dependencies: ["Download", "HTTP", "Crypto", "DumpCore", "DumpTestSupport"], swiftSettings: strictSettings),
        /** The fault-injection suite (reference/queue.md §5): worker processes against a real redis-server. */
        .testTarget(
            name: "WorkerFaultTests", dependencies: ["JobQueue", "Redis", "DumpCore", "DumpService", "DumpTestSupport"], swiftSettings: strictSettings),
        /** The local GitLab rig (fixtures/rig): the stand-in, git and LFS through real clients, python-gitlab conformance. */
        .testTarget(name: "RigTests", dependencies: ["DumpTestSupport"], swiftSettings: strictSettings),
        /** The Telegram Bot API stand-in (fixtures/telegram): python-telegram-bot conformance, long polling, journal, faults. */
        .testTarget(name: "TelegramStandInTests", dependencies: ["DumpTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "DumpServiceTests", dependencies: ["DumpService", "DumpCore", "Telegram", "DumpTestSupport"],
            swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
