import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits.
/// They sort by creation time, so new rows append to the primary key index.
public enum UUIDv7 {
    public static func make(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        // Two draws of the system generator (one system call each), not sixteen.
        var random = SystemRandomNumberGenerator()
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for offset in 0..<8 {
            bytes[offset] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(offset)))
            bytes[8 + offset] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(offset)))
        }
        for offset in 0..<6 { bytes[offset] = UInt8((millis >> (8 * (5 - UInt64(offset)))) & 0xFF) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

extension UUID {
    /// Byte order, which for UUIDv7 is creation order (no text formatting: `uuidString` prints
    /// through `sprintf`).
    public func precedes(_ other: UUID) -> Bool {
        withUnsafeBytes(of: uuid) { left in
            withUnsafeBytes(of: other.uuid) { right in left.lexicographicallyPrecedes(right) }
        }
    }

    /// Lower-case canonical text, the form used in the API and in SQLite (formatted by hand:
    /// it runs for several ids of every row of every page).
    public var lowercased: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var position = 0
                for (offset, byte) in bytes.enumerated() {
                    if offset == 4 || offset == 6 || offset == 8 || offset == 10 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    buffer[position] = digits[Int(byte >> 4)]
                    buffer[position + 1] = digits[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }
}

extension UUID {
    /// Parses the canonical 36-character form (either case) without Foundation's scanner:
    /// every id column read from SQLite arrives as text.
    public static func parse(_ text: String) -> UUID? {
        var copy = text
        return copy.withUTF8 { utf8 -> UUID? in
            guard utf8.count == 36, utf8[8] == 0x2D, utf8[13] == 0x2D, utf8[18] == 0x2D, utf8[23] == 0x2D else { return nil }
            var bytes = [UInt8](repeating: 0, count: 16)
            var index = 0
            var high: UInt8?
            for (offset, character) in utf8.enumerated() where offset != 8 && offset != 13 && offset != 18 && offset != 23 {
                let nibble: UInt8
                switch character {
                case 0x30...0x39: nibble = character - 0x30
                case 0x61...0x66: nibble = character - 0x61 + 10
                case 0x41...0x46: nibble = character - 0x41 + 10
                default: return nil
                }
                if let first = high {
                    bytes[index] = first << 4 | nibble
                    index += 1
                    high = nil
                } else {
                    high = nibble
                }
            }
            return UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                    bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ))
        }
    }
}
