import Foundation

/// Turns record text into the terms the search index holds, and a user's query into the terms to
/// look for. Both sides go through the same rules, so SQLite FTS5 and PostgreSQL tsvector see the
/// same words: lower-cased, split on anything that is not a letter or digit, Cyrillic words also
/// transliterated to Latin, phone numbers also as their ten-digit match key.
public enum SearchTerms {
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Index terms for one record's searchable values.
    public static func document(text: [String], phones: [String], emails: [String]) -> String {
        var terms: [String] = []
        var seen = Set<String>()
        func add(_ term: String) {
            guard !term.isEmpty, term.count <= 64, seen.insert(term).inserted else { return }
            terms.append(term)
        }
        for value in text {
            for word in words(value) {
                add(word)
                let latin = Transliteration.latin(word)
                if latin != word { add(latin) }
            }
        }
        for email in emails {
            for word in words(email) { add(word) }
            add(Self.compact(email))
        }
        for phone in phones {
            if let key = PhoneNumber.matchKey(phone) { add(key) }
            add(PhoneNumber.digits(phone))
        }
        return terms.joined(separator: " ")
    }

    /// A query as it is looked up: its words, each with the spellings that count as it (all
    /// words required, any spelling of each). A phone number typed so far ("+7 912 3", "8912")
    /// is its digits, or its digits after a leading 7 or 8 (a Russian trunk or country code),
    /// since the index keeps each number's ten-digit key as well as all its digits.
    public static func queryWords(_ text: String) -> [[String]] {
        let digits = PhoneNumber.digits(text)
        if digits.count >= 3, text.allSatisfy({ $0.isNumber || " +-().".contains($0) }) {
            var spellings = [digits.count > 10 ? String(digits.suffix(10)) : digits]
            if digits.count <= 11, let first = digits.first, first == "7" || first == "8", digits.count >= 4 {
                spellings.append(String(digits.dropFirst()))
            }
            if digits.count > 10 { spellings.append(digits) }
            var seen = Set<String>()
            return [spellings.filter { seen.insert($0).inserted }]
        }
        return query(text).map { [$0] }
    }

    /// A query's terms. A query that is mostly digits is read as a phone number.
    public static func query(_ text: String) -> [String] {
        let digits = PhoneNumber.digits(text)
        let letters = text.filter(\.isLetter)
        if digits.count >= 5, letters.isEmpty, let key = PhoneNumber.matchKey(text) {
            return [key]
        }
        if text.contains("@") { return [compact(text)] }
        return Array(words(text).prefix(8))
    }

    /// An e-mail as one term: letters and digits only (what both tokenizers keep together).
    public static func compact(_ email: String) -> String {
        String(email.lowercased().filter { $0.isLetter || $0.isNumber })
    }
}

/// Russian/Bulgarian Cyrillic to Latin, close to the passport (ICAO) rules, so that `Иванов`
/// and `Ivanov` meet in search and duplicate checks.
public enum Transliteration {
    static let table: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
        "э": "e", "ю": "iu", "я": "ia",
    ]

    static let memory = WordMemory<String>()

    /// Words repeat (names above all), so each word's Latin form is remembered (`WordMemory`).
    public static func latin(_ text: String) -> String {
        memory.value(for: text) { compute($0) }
    }

    static func compute(_ text: String) -> String {
        var output = ""
        for character in text.lowercased() {
            if let replacement = table[character] { output += replacement } else { output.append(character) }
        }
        return output
    }
}
