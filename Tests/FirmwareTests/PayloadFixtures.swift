import DumpTestSupport
import Firmware
import Foundation

/// Source images and payloads made at test time by fixtures/formats/payload.py.
enum PayloadFixtures {
    static let writer = TestPaths.fixture("formats/payload.py")

    /// Deterministic image-like bytes: random, zero and text runs; the first block is data.
    static let imageScript = """
        import random, sys
        path, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        r = random.Random(seed)
        b = bytearray(r.randbytes(4096))
        while len(b) < size:
            n = r.randint(1, 24) * 4096
            k = r.randrange(3)
            if k == 0: b += r.randbytes(n)
            elif k == 1: b += bytes(n)
            else: b += (b"ro.build.prop.%d=value %d\\n" % (len(b), r.randrange(100000)) * (n // 16 + 1))[:n]
        open(path, "wb").write(bytes(b[:size]))
        """

    static func makeImage(at path: String, size: Int, seed: UInt64) throws {
        try Tool.check("python3", ["-c", imageScript, path, "\(size)", "\(seed)"])
    }

    /// Three images in `dir` (system 3 MiB, vendor 1 MiB, boot 512 KiB): `name=path` arguments.
    static func makeImages(in dir: TemporaryDirectory, unalignedVendor: Bool = false) throws -> [(name: String, path: String)] {
        let images = [("system", 3 << 20), ("vendor", (1 << 20) + (unalignedVendor ? 1000 : 0)), ("boot", 512 << 10)]
        return try images.enumerated().map { index, image in
            let path = dir.file(image.0 + ".src")
            try makeImage(at: path, size: image.1, seed: UInt64(index + 1))
            return (image.0, path)
        }
    }

    /// Runs the writer; returns the payload path (or the zip's with `zip: true`).
    @discardableResult
    static func payload(
        in dir: TemporaryDirectory, images: [(name: String, path: String)], options: [String] = [], zip: Bool = false, name: String = "payload"
    ) throws -> String {
        let out = dir.file(name + ".bin")
        var arguments = [writer, "--out", out, "--xz-preset", "0"] + options
        if zip { arguments += ["--zip", dir.file(name + ".zip")] }
        try Tool.check("python3", arguments + images.map { "\($0.name)=\($0.path)" })
        return zip ? dir.file(name + ".zip") : out
    }

    /// The payload as a slice: the file itself, or its stored member inside the zip (found with Python's zipfile).
    static func slice(_ path: String) throws -> FileSlice {
        let file = try OpenFile(path: path)
        guard path.hasSuffix(".zip") else { return file.slice(origin: "payload.bin") }
        let script = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1]); i = z.getinfo('payload.bin')
            f = open(sys.argv[1], 'rb'); f.seek(i.header_offset + 26)
            n, m = int.from_bytes(f.read(2), 'little'), int.from_bytes(f.read(2), 'little')
            print(i.header_offset + 30 + n + m, i.file_size)
            """
        let fields = try Tool.check("python3", ["-c", script, path]).stdout.split(separator: " ").map { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
        return try file.slice(origin: "ota.zip").subslice(at: fields[0], length: fields[1], origin: "ota.zip:payload.bin")
    }
}
