import Foundation

/// A host's file name made safe to suggest: the last path component, no control characters,
/// not "." or "..", at most 255 bytes; nil when nothing usable is left.
enum FileNameHint {
    static func clean(_ name: String?) -> String? {
        guard let name else { return nil }
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var clean = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        while clean.utf8.count > 255 { clean.removeLast() }
        guard !clean.isEmpty, clean != ".", clean != ".." else { return nil }
        return clean
    }
}
