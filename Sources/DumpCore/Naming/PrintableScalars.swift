/// Which characters the existing system kept when it cleaned names (Python's `str.isprintable`).
enum PrintableScalars {
    /// False for controls, format characters, surrogates, private use, unassigned code points and
    /// separators other than the ASCII space.
    static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
            false
        case .spaceSeparator:
            scalar == " "
        default:
            true
        }
    }
}
