/// Finds payload.bin: the file itself, or the member stored (uncompressed) inside an OTA zip,
/// read in place without copying.
public enum PayloadInput {
    /// The payload in `path`: a payload.bin, or an OTA zip holding a stored `payload.bin`.
    public static func open(path: String) throws -> FileSlice {
        let file = try OpenFile(path: path)
        let magic = try file.slice(origin: path).bytes(at: 0, count: Int(min(file.size, 4)))
        guard magic == Array("PK\u{3}\u{4}".utf8) else { return file.slice(origin: path) }
        let whole = file.slice(origin: path)
        let members = try ZipDirectory.read(slice: whole)
        guard let member = members.first(where: { $0.name == Array("payload.bin".utf8) }) else {
            throw FirmwareError(file: path, cause: "the zip has no payload.bin")
        }
        guard member.method == 0, !member.isEncrypted, member.compressedSize == member.size else {
            throw FirmwareError(file: path, cause: "payload.bin is compressed or encrypted in the zip; OTA zips store it")
        }
        let dataStart = try ZipDirectory.dataOffset(of: member, slice: whole)
        return try whole.subslice(at: dataStart, length: member.size, origin: path + ":payload.bin")
    }
}
