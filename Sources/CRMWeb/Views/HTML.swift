import Foundation

/// A piece of HTML. Written as a string literal whose literal parts are markup we wrote and
/// whose interpolated `String`s are escaped: `"<td>\(name)</td>" as HTML` can never carry a
/// tag from a record. Other `HTML` values interpolate as they are; nothing else does (an
/// optional or an arbitrary value does not compile), so markup gets in only as the literal
/// parts written in this code.
///
/// Escaping covers `& < > " '`, so an interpolated string is safe both between tags and inside a
/// quoted attribute value. URLs from records go through `HTML.safeURL` first.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init() { text = "" }

    public init(stringLiteral value: String) { text = value }

    /// Pieces one after another.
    public init(joining pieces: some Sequence<HTML>) {
        text = ""
        for piece in pieces { text += piece.text }
    }

    public init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }

    public var description: String { text }

    public static func + (left: HTML, right: HTML) -> HTML {
        var joined = left
        joined.text += right.text
        return joined
    }

    public static func += (left: inout HTML, right: HTML) { left.text += right.text }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text: String

        public init(literalCapacity: Int, interpolationCount: Int) {
            text = ""
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// Text from anywhere: escaped.
        public mutating func appendInterpolation(_ value: String) { HTML.escape(value, into: &text) }

        public mutating func appendInterpolation(_ value: Substring) { HTML.escape(String(value), into: &text) }

        public mutating func appendInterpolation(_ value: Int) { text += String(value) }

        public mutating func appendInterpolation(_ value: Int64) { text += String(value) }

        public mutating func appendInterpolation(_ html: HTML) { text += html.text }

        /// Each piece in turn (`\(each: rows)`).
        public mutating func appendInterpolation(each pieces: some Sequence<HTML>) {
            for piece in pieces { text += piece.text }
        }

        /// ` name` when `on`, nothing otherwise (boolean attributes: `selected`, `checked`).
        public mutating func appendInterpolation(flag name: StaticString, _ on: Bool) {
            if on {
                text += " "
                text += name.description
            }
        }
    }

    /// Escapes the five characters that matter in text and quoted attribute values.
    static func escape(_ value: String, into output: inout String) {
        // Most values hold none of them: copy those whole.
        var clean = true
        for byte in value.utf8 {
            switch byte {
            case 0x26, 0x3C, 0x3E, 0x22, 0x27: clean = false
            default: continue
            }
            break
        }
        guard !clean else {
            output += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
    }

    /// A URL from a record made safe for `href`: only http(s), mailto and tel links; anything
    /// else (`javascript:`, `data:`) gives nil and is shown as text.
    public static func safeURL(_ value: String) -> String? {
        let lowered = value.trimmingCharacters(in: .whitespaces).lowercased()
        for scheme in ["http://", "https://", "mailto:", "tel:"] where lowered.hasPrefix(scheme) { return value }
        return nil
    }

    /// Percent-encodes a value for a query string or a path segment.
    public static func urlComponent(_ value: String) -> String {
        var output = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(digits[Int(byte >> 4)])
                output.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return output
    }
}
