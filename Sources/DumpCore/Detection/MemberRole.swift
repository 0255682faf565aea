/// Members that only make sense together with others, told by their file names: the pieces of a
/// block OTA (`system.transfer.list` + `system.new.dat[.br|.xz|.N]`) and the pieces of a split
/// sparse image (`super.img_sparsechunk.N`, `super.img.N`).
public enum MemberRole: Sendable, Hashable {
    /// How a block OTA's new data is stored.
    public enum Encoding: Sendable, Hashable {
        case plain, brotli, xz
    }

    /// `P.transfer.list`.
    case transferList(partition: String)
    /// `P.new.dat`, `P.new.dat.br`, `P.new.dat.xz`, or piece `N` of a split `P.new.dat.N`.
    case newData(partition: String, encoding: Encoding, piece: Int?)
    /// `P.patch.dat` (used only by incremental OTAs).
    case patchData(partition: String)
    /// Piece `index` of the split sparse image `base` (`super.img_sparsechunk.3`, `super.img.3`).
    case sparsePiece(base: String, index: Int)
    /// Anything else: the member stands alone.
    case single

    /// The role a member's file name gives it.
    public static func of(fileName name: String) -> MemberRole {
        if let partition = strip(name, ".transfer.list") { return .transferList(partition: partition) }
        if let partition = strip(name, ".patch.dat") { return .patchData(partition: partition) }
        if let partition = strip(name, ".new.dat") { return .newData(partition: partition, encoding: .plain, piece: nil) }
        if let partition = strip(name, ".new.dat.br") { return .newData(partition: partition, encoding: .brotli, piece: nil) }
        if let partition = strip(name, ".new.dat.xz") { return .newData(partition: partition, encoding: .xz, piece: nil) }
        if let (stem, number) = numbered(name) {
            if let partition = strip(stem, ".new.dat") { return .newData(partition: partition, encoding: .plain, piece: number) }
            if let base = strip(stem, ".img_sparsechunk") { return .sparsePiece(base: base, index: number) }
            if let base = strip(stem, ".img") { return .sparsePiece(base: base, index: number) }
        }
        return .single
    }

    /// `name` without `suffix`, when something is left.
    private static func strip(_ name: String, _ suffix: String) -> String? {
        guard name.count > suffix.count, name.hasSuffix(suffix) else { return nil }
        return String(name.dropLast(suffix.count))
    }

    /// `stem.N` → (stem, N) for a decimal N of at most 4 digits.
    private static func numbered(_ name: String) -> (String, Int)? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let digits = name[name.index(after: dot)...]
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits) else { return nil }
        return (String(name[..<dot]), number)
    }
}
