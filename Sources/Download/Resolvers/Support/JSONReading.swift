import Foundation

/// JSON answers read with `JSONSerialization`, and typed looks into the result that never trap.
enum JSONReading {
    /// The parsed value of `bytes` (an object, array, number, string…), or nil when it is not JSON.
    static func value(of bytes: [UInt8]) -> Any? {
        guard !bytes.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// `value` as a whole number, if it is one (a JSON number without a fraction, in range).
    static func integer(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double == double.rounded(), abs(double) < 9.0e18 else { return nil }
        return number.int64Value
    }

    /// `value` as a size in bytes: a whole number ≥ 0.
    static func size(_ value: Any?) -> UInt64? {
        guard let n = integer(value), n >= 0 else { return nil }
        return UInt64(n)
    }

    /// `value` as a string.
    static func string(_ value: Any?) -> String? { value as? String }

    /// `value` as a Boolean (JSON `true`/`false` only).
    static func bool(_ value: Any?) -> Bool? {
        guard let number = value as? NSNumber, isBoolean(number) else { return nil }
        return number.boolValue
    }

    /// JSONSerialization gives `true`/`false` as NSNumbers of type "c" (and `1 is Bool` holds on
    /// Linux, so `is Bool` cannot tell them apart).
    private static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }
}
