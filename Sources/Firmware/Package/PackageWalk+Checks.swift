internal import Archive
internal import DumpCore

/// Checks on members before they are used.
extension PackageWalk {
    /// Whether a nested zip is firmware to unpack (a Pixel `image-*.zip`) rather than a file to
    /// keep (an APK, an encrypted `fota.zip`): it must hold an image, a payload or an OTA piece.
    static func holdsFirmware(zip slice: FileSlice) throws -> Bool {
        let names: [[UInt8]]
        do { names = try ZipMembers(slice: slice).memberNames } catch { return true }
        return names.contains { raw in
            let name = String(decoding: raw.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self)
            return name.hasSuffix(".img") || name == "payload.bin" || MemberRole.of(fileName: name) != .single
                || name.hasSuffix(".img.lz4") || name.hasSuffix(".tar.md5")
        }
    }

    /// A symlink member must stay inside the package: relative, and never climbing above the root.
    static func checkSymlink(_ path: RepoPath, target: [UInt8], archive: String) throws(FirmwareError) {
        let display = DisplayName.of(target)
        var depth = path.components.count - 1
        let escapes = target.first == UInt8(ascii: "/") || target.isEmpty || target.split(separator: UInt8(ascii: "/")).contains { part in
            if part.elementsEqual("..".utf8) { depth -= 1 } else if !part.elementsEqual(".".utf8) { depth += 1 }
            return depth < 0
        }
        if escapes {
            throw FirmwareError(file: archive, cause: UnsafePathError(path: DisplayName.of(path.bytes), reason: .symlinkEscapes(display)).description)
        }
    }

    static func memberError(_ error: any Error, origin: String) -> any Error {
        if let error = error as? FirmwareError { return error }
        if let error = error as? ArchiveError { return FirmwareError(file: origin, cause: error.message) }
        return FirmwareError(file: origin, cause: "\(error)")
    }
}
