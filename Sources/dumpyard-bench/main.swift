// dumpyard-bench: single-stage benchmarks, run by scripts/bench-payload.sh and scripts/bench-queue.sh.
//   dumpyard-bench payload <file.zip|payload.bin> <outdir> [threads]   extract every partition
//   dumpyard-bench floor <file.zip|payload.bin>                         decode every op serially, report CPU seconds
//   dumpyard-bench writefloor <file.zip|payload.bin> <outdir> [threads]  write as many bytes as the images hold, no decoding
//   dumpyard-bench queue-submit | queue-worker | queue-latency …      the job queue (QueueBench.swift)
//   dumpyard-bench download <url> <dir> <connections>                  one download (DownloadBench.swift)
import Compression
import DumpCore
import Firmware
import Foundation
import Synchronization

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

/// Decodes every data-carrying operation into a scratch buffer on this thread; returns decoded bytes.
func decodeFloor(_ payload: FileSlice) throws -> UInt64 {
    let extractor = try PayloadExtractor(payload: payload)
    let header = try PayloadHeader.parse(try payload.bytes(at: 0, count: PayloadHeader.size), payloadSize: payload.length)
    var input = [UInt8](repeating: 0, count: 1 << 20)
    var output = [UInt8](repeating: 0, count: 2 << 20)
    var decoded: UInt64 = 0
    for partition in extractor.plan.partitions {
        for op in partition.update.operations where op.type.carriesData && op.type != .replace {
            let decoder: any StreamDecoder =
                switch op.type {
                case .replaceXz: try XzDecoder()
                case .replaceBz: try Bzip2Decoder()
                default: try ZstdDecoder()
                }
            var position = header.dataOffset + op.dataOffset
            var remaining = op.dataLength
            var finished = false
            while !finished {
                let count = Int(min(UInt64(input.count), remaining))
                if count > 0 {
                    try input.withUnsafeMutableBytes { try payload.read(at: position, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count])) }
                }
                position += UInt64(count)
                remaining -= UInt64(count)
                var offset = 0
                repeat {
                    let step = try input.withUnsafeBytes { inBytes in
                        try output.withUnsafeMutableBytes { try decoder.decode(UnsafeRawBufferPointer(rebasing: inBytes[offset..<count]), into: $0) }
                    }
                    offset += step.consumed
                    decoded += UInt64(step.produced)
                    finished = step.finished
                    if step.consumed == 0 && step.produced == 0 { break }
                } while !finished && (offset < count || remaining == 0)
                if remaining == 0 && !finished && offset == count { fail("op did not finish") }
            }
        }
    }
    return decoded
}

let arguments = CommandLine.arguments
/// Writes every partition's size of bytes into fresh pre-sized files in `directory` on `threads`
/// threads (2 MiB `pwrite`s, each thread its own file): what writing the images costs on this
/// machine, without decoding. Returns the bytes written.
func writeFloor(_ payload: FileSlice, directory: String, threads: Int) throws -> UInt64 {
    let sizes = try PayloadExtractor(payload: payload).partitions.map(\.size).sorted(by: >)
    let next = Mutex(0)
    let chunk = 2 << 20
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        for i in 0..<chunk { buffer[i] = UInt8(truncatingIfNeeded: i &* 31 &+ worker) }
        while true {
            let index: Int = next.withLock { n in defer { n += 1 }; return n }
            guard index < sizes.count else { return }
            let path = directory + "/write-floor-\(index).img"
            let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
            ftruncate(fd, off_t(sizes[index]))
            var offset: UInt64 = 0
            while offset < sizes[index] {
                let n = Int(min(UInt64(chunk), sizes[index] - offset))
                _ = pwrite(fd, buffer.baseAddress, n, off_t(offset))
                offset += UInt64(n)
            }
            close(fd)
            unlink(path)
        }
    }
    return sizes.reduce(0, +)
}

if arguments.count >= 2, arguments[1].hasPrefix("queue-") { QueueBench.run(Array(arguments.dropFirst())) }
if arguments.count >= 2, arguments[1] == "download" { DownloadBench.run(Array(arguments.dropFirst())); exit(0) }
guard arguments.count >= 3 else { fail("usage: dumpyard-bench payload <file> <outdir> [threads] | floor <file>") }
do {
    let payload = try PayloadInput.open(path: arguments[2])
    switch arguments[1] {
    case "payload":
        guard arguments.count >= 4 else { fail("usage: dumpyard-bench payload <file> <outdir> [threads]") }
        let threads = arguments.count > 4 ? Int(arguments[4]) ?? 2 : ProcessInfo.processInfo.activeProcessorCount
        let start = Date()
        let results = try PayloadExtractor(payload: payload).extract(into: arguments[3], threads: threads) { _, _ in }
        let bytes = results.reduce(0) { $0 + $1.size }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "payload: %d partitions, %.1f MB in %.2f s wall, %.2f s CPU (%d threads)", results.count, Double(bytes) / 1e6, seconds, cpuSeconds(), threads))
    case "writefloor":
        guard arguments.count >= 4 else { fail("usage: dumpyard-bench writefloor <file> <outdir> [threads]") }
        let threads = arguments.count > 4 ? Int(arguments[4]) ?? 2 : 2
        let written = try writeFloor(payload, directory: arguments[3], threads: threads)
        print(String(format: "writefloor: %.1f MB written in %.2f s CPU (%d threads)", Double(written) / 1e6, cpuSeconds(), threads))
    case "floor":
        let decoded = try decodeFloor(payload)
        print(String(format: "floor: %.1f MB decoded serially in %.2f s CPU", Double(decoded) / 1e6, cpuSeconds()))
    default:
        fail("unknown command \(arguments[1])")
    }
} catch {
    fail("dumpyard-bench: \(error)")
}
