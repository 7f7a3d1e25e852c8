import Foundation

/// Phone numbers are stored as typed; matching uses their digits only.
public enum PhoneNumber {
    public static func digits(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.properties.numericType == .decimal && $0.isASCII }.map(Character.init))
    }

    public static func isPlausible(_ text: String) -> Bool {
        let allowed = Set("0123456789+-() ./ext#")
        guard text.allSatisfy({ allowed.contains(Character($0.lowercased())) }) else { return false }
        return (7...15).contains(digits(text).count) || (digits(text).count > 15 && text.lowercased().contains("ext"))
    }

    /// The key two spellings of one number share: the last ten digits (a Russian `8 912 ...`,
    /// `+7 912 ...` and `912 ...` all become `912...`); shorter numbers keep all their digits.
    public static func matchKey(_ text: String) -> String? {
        // Digits before an extension ("ext 12"), ASCII letters compared without case.
        var number = ""
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in text.utf8 {
            let lower = byte | 0x20
            if previous == (UInt8(ascii: "e"), UInt8(ascii: "x")), lower == UInt8(ascii: "t") { break }
            previous = (previous.1, lower)
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { number.append(Character(Unicode.Scalar(byte))) }
        }
        guard number.count >= 5 else { return nil }
        return number.count > 10 ? String(number.suffix(10)) : number
    }
}

/// E-mail addresses: trimmed, domain lower-cased, shape checked.
public enum EmailAddress {
    public static func normalize(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !trimmed.contains(" "), !parts[1].contains("..")
        else { return nil }
        return "\(parts[0])@\(parts[1].lowercased())"
    }

    /// Case-insensitive comparison key.
    public static func matchKey(_ text: String) -> String { text.lowercased() }
}
