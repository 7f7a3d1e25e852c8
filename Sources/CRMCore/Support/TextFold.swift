import Foundation

/// How `starts` and `contains` filters compare text: case-insensitive and with ё read as е, in
/// both databases (SQLite's `crm_fold` calls `fold`; PostgreSQL's `crm_fold` does the same in SQL).
public enum TextFold {
    public static func fold(_ text: String) -> String {
        // Russian, Bulgarian and English text is folded byte by byte (the filters call this for
        // every row they compare); anything else goes through Unicode case mapping.
        if let fast = foldCyrillicAndASCII(text) { return fast }
        return foldUnicode(text)
    }

    static func foldUnicode(_ text: String) -> String {
        let lower = text.lowercased()
        guard lower.unicodeScalars.contains(where: { $0 == "ё" }) else { return lower }
        return String(String.UnicodeScalarView(lower.unicodeScalars.map { $0 == "ё" ? "е" : $0 }))
    }

    /// ASCII and the Cyrillic letters А-я, Ё, ё (two UTF-8 bytes each), or nil for anything else.
    static func foldCyrillicAndASCII(_ text: String) -> String? {
        var utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte < 0x80 {
                if byte >= 0x41, byte <= 0x5A { utf8[index] = byte | 0x20 }
                index += 1
                continue
            }
            guard index + 1 < utf8.count else { return nil }
            let next = utf8[index + 1]
            switch (byte, next) {
            case (0xD0, 0x90...0x9F): utf8[index + 1] = next + 0x20  // А-П -> а-п
            case (0xD0, 0xA0...0xAF): (utf8[index], utf8[index + 1]) = (0xD1, next - 0x20)  // Р-Я -> р-я
            case (0xD0, 0xB0...0xBF), (0xD1, 0x80...0x8F): break  // а-я
            case (0xD0, 0x81), (0xD1, 0x91): (utf8[index], utf8[index + 1]) = (0xD0, 0xB5)  // Ё, ё -> е
            default: return nil
            }
            index += 2
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Every first character a value may have when its folded form starts with `folded`'s first
    /// character (nil when the index-friendly comparisons cannot say; see `spellings(of:)`).
    public static func firstLetterSpellings(_ folded: String) -> [String]? {
        guard let first = folded.unicodeScalars.first, let spellings = spellings(of: first) else { return nil }
        return spellings.map { String(Character($0)) }
    }

    /// The characters whose folded form starts with `folded` (itself a folded character): for the
    /// letters of Russian, Bulgarian and English their cases (Ё and ё for е, the Kelvin sign for k,
    /// the dotted capital İ for i), digits and ASCII punctuation themselves. Nil for any other
    /// character, where the comparisons built from this would not be certain. A test checks the
    /// table against every Unicode scalar.
    public static func spellings(of folded: Unicode.Scalar) -> [Unicode.Scalar]? {
        let value = folded.value
        switch value {
        case 0x20..<0x41, 0x5B..<0x61, 0x7B..<0x7F: return [folded]
        case 0x61...0x7A:
            var result = [Unicode.Scalar(value - 0x20)!, folded]
            if folded == "i" { result.append("\u{130}") }
            if folded == "k" { result.append("\u{212A}") }
            return result
        case 0x430...0x44F:
            var result = [Unicode.Scalar(value - 0x20)!, folded]
            if folded == "е" { result = ["Ё", "Е", "е", "ё"] }
            return result
        default: return nil
        }
    }

    /// The ways a stored value may spell the characters of a folded prefix (`spellings(of:)` of
    /// each), and the ranges of values that start with a given spelling of the first few: in
    /// code point order (how both databases compare text under a C collation), together they hold
    /// every value whose folded form starts with the prefix, so an index on the raw column serves
    /// `starts` in the column's own order (decision 0011; the store asks its index which
    /// spellings occur).
    public struct PrefixSpellings: Sendable {
        /// Per position of the folded prefix, its spellings in code point order.
        public let choices: [[Unicode.Scalar]]

        public init?(_ prefix: String) {
            let scalars = fold(prefix).unicodeScalars
            guard !scalars.isEmpty else { return nil }
            var choices: [[Unicode.Scalar]] = []
            for scalar in scalars {
                guard let spellings = spellings(of: scalar) else { return nil }
                choices.append(spellings)
            }
            self.choices = choices
        }

        /// Every head one character longer: each spelling of position `at` after each head.
        public func extend(_ heads: [[Unicode.Scalar]], at position: Int) -> [[Unicode.Scalar]] {
            heads.flatMap { head in choices[position].map { head + [$0] } }
        }

        /// The range of values that start with `head` exactly and go on with any spelling of the
        /// prefix's remaining characters: from the head and the lowest spellings to the head and
        /// the highest spellings with the last character one code point on.
        public func range(_ head: [Unicode.Scalar]) -> (lower: String, upper: String) {
            let rest = choices[head.count...]
            var upper = head + rest.map { $0.last! }
            // Spellings are letters, digits and ASCII punctuation: the next code point exists.
            upper[upper.count - 1] = Unicode.Scalar(upper[upper.count - 1].value + 1)!
            return (text(head + rest.map { $0.first! }), text(upper))
        }

        /// The ranges of `heads`, in code point order (disjoint: heads of one length differ).
        public func ranges(_ heads: [[Unicode.Scalar]]) -> [(lower: String, upper: String)] {
            heads.sorted { $0.lexicographicallyPrecedes($1) { $0.value < $1.value } }.map(range)
        }
    }

    static func text(_ scalars: [Unicode.Scalar]) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }

    /// Field types whose `starts` / `contains` filters an index serves.
    public static func isIndexed(_ type: FieldType) -> Bool {
        switch type {
        case .text, .email, .phone, .url: true
        default: false
        }
    }

    /// SQLite's filter document of one record: each indexed value, whole and folded, after its
    /// field's tag written twice (`TTvalue\u{3}`), so the trigram phrase `TTprefix` is "this
    /// field starts with prefix" and every trigram of it holds a letter of the value. (A field's
    /// name in the phrase would add trigrams that every document holds, and FTS5 steps through
    /// all of their postings.)
    public static func document(_ values: [(name: String, text: String)]) -> String {
        var document = ""
        for (name, text) in values where !text.isEmpty {
            let tag = fieldTag(name)
            document += tag + tag + clean(fold(text)) + "\u{3}"
        }
        return document
    }

    /// A field's tag: one character of Unicode's private use area chosen by a stable hash of its
    /// name (two fields sharing a tag only make the index name more candidates).
    public static func fieldTag(_ name: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return String(Character(Unicode.Scalar(0xE000 + hash % 0x1000)!))
    }

    /// The FTS5 trigram query for "field starts with `prefix`" (nil when the index cannot say).
    public static func startsQuery(field: String, prefix: String) -> String? {
        let folded = fold(prefix)
        guard !folded.isEmpty, folded == clean(folded), !folded.unicodeScalars.contains(where: { (0xE000..<0xF000).contains($0.value) })
        else { return nil }
        let tag = fieldTag(field)
        return quoted(tag + tag + folded)
    }

    /// The FTS5 trigram query for "some field contains `text`": three characters at least.
    public static func containsQuery(_ text: String) -> String? {
        let folded = fold(text)
        guard folded.count >= 3, folded == clean(folded) else { return nil }
        return quoted(folded)
    }

    /// Whether a filter text can be looked up in PostgreSQL's trigram index over the folded
    /// concatenation (JSON escapes would make `"`, `\` and control characters differ there).
    public static func isPlainForPostgres(_ text: String) -> Bool {
        !text.isEmpty && !text.unicodeScalars.contains { $0 == "\"" || $0 == "\\" || $0.value < 0x20 }
    }

    /// Values keep no separator characters of the document.
    static func clean(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 ? " " : $0 }))
    }

    static func quoted(_ phrase: String) -> String {
        "\"" + phrase.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
