import Foundation
import Synchronization

/// Finds likely duplicate people and companies whose names are spelled in Cyrillic or in any of the
/// usual Latin transliterations (Иванов, Ivanov, Ivanoff).
///
/// Each word becomes a phonetic skeleton: transliterated, with the letters and digraphs that the
/// transliteration systems disagree on folded to one form. The skeleton is stored as a search
/// term to find candidates; `similarity` then compares the skeletons word by word, in any order.
public enum NameMatching {
    /// A phonetic skeleton of one word, the same for spellings of one name across Cyrillic and the
    /// usual Latin transliterations. Lowercase ASCII letters only; empty for words without letters.
    public static func skeleton(_ word: String) -> String {
        NameSkeleton.expand(NameSkeleton.units(word))
    }

    /// Words of a name, lowercased: runs of letters and digits. Apostrophes inside a word join it
    /// (`Natal'ya`, `O'Neil`); everything else separates.
    public static func words(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var pendingApostrophe = false
        for character in name.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
                pendingApostrophe = false
            } else if Self.apostrophes.contains(character), !current.isEmpty, !pendingApostrophe {
                pendingApostrophe = true
            } else if !current.isEmpty {
                words.append(current)
                current = ""
                pendingApostrophe = false
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Similarity 0...1 of two person or company names. Word order does not matter; legal-form words
    /// (ООО, ЕООД, LLC, GmbH, ...) and quotes are ignored; a word left without a counterpart lowers the
    /// score less than a mismatched one, and a missing patronymic hardly at all.
    public static func similarity(_ a: String, _ b: String) -> Double {
        let left = comparableWords(a)
        let right = comparableWords(b)
        guard !left.isEmpty, !right.isEmpty else { return 0 }
        var pairs: [(score: Double, left: Int, right: Int)] = []
        for (i, leftWord) in left.enumerated() {
            for (j, rightWord) in right.enumerated() {
                let score = wordSimilarity(leftWord, rightWord)
                if score > 0 { pairs.append((score, i, j)) }
            }
        }
        // Greedy: the best pairs first (ties in reading order), each word used once.
        pairs.sort { ($0.score, -$0.left, -$0.right) > ($1.score, -$1.left, -$1.right) }
        var usedLeft = Set<Int>()
        var usedRight = Set<Int>()
        var total = 0.0
        for pair in pairs where !usedLeft.contains(pair.left) && !usedRight.contains(pair.right) {
            usedLeft.insert(pair.left)
            usedRight.insert(pair.right)
            total += pair.score
        }
        let unmatchedLeft = left.indices.filter { !usedLeft.contains($0) }.map { left[$0] }
        let unmatchedRight = right.indices.filter { !usedRight.contains($0) }.map { right[$0] }
        let weight =
            Double(usedLeft.count) + unmatchedWeight(unmatchedLeft, otherHasPatronymic: right.contains(where: \.isPatronymic))
            + unmatchedWeight(unmatchedRight, otherHasPatronymic: left.contains(where: \.isPatronymic))
        return min(1, total / weight)
    }

    /// `similarity >= threshold`.
    public static func isLikelySame(_ a: String, _ b: String, threshold: Double = 0.85) -> Bool {
        similarity(a, b) >= threshold
    }

    static let apostrophes: Set<Character> = ["'", "’", "ʼ", "`", "´"]

    /// A word as compared: its skeleton (or its digits), and whether it was a lone initial (`И.`).
    struct ComparableWord: Sendable {
        var key: [UInt8]
        var isInitial: Bool
        var isPatronymic: Bool
    }

    /// Pairs scoring below this count as unrelated words, so near misses do not add up.
    static let wordFloor = 0.8

    /// Names repeat, so each name's comparable words are remembered (`WordMemory`).
    static let comparableMemory = WordMemory<[ComparableWord]>()

    static func comparableWords(_ name: String) -> [ComparableWord] {
        comparableMemory.value(for: name) { computeComparableWords($0) }
    }

    static func computeComparableWords(_ name: String) -> [ComparableWord] {
        let all = words(name)
        let kept = LegalForms.removing(from: all)
        return (kept.isEmpty ? all : kept).compactMap { word in
            let units = NameSkeleton.units(word)
            let key = units.isEmpty ? Array(word.filter(\.isNumber).utf8) : units
            guard !key.isEmpty else { return nil }
            let isInitial = word.count == 1 && !units.isEmpty
            return ComparableWord(key: key, isInitial: isInitial, isPatronymic: NameSkeleton.isPatronymic(units))
        }
    }

    static func wordSimilarity(_ a: ComparableWord, _ b: ComparableWord) -> Double {
        if a.key == b.key { return 1 }
        if a.isInitial || b.isInitial {
            // One letter stands for a name starting with it ("И. Петров"); never a full match.
            let (initial, word) = a.isInitial ? (a, b) : (b, a)
            return word.key.starts(with: initial.key) ? 0.8 : 0
        }
        // Jaro-Winkler alone is generous to short words (Ольга/Олег 0.87); the edit ratio is strict
        // with them and mild with one slip in a long word, so the mean serves both.
        let distance = Double(editDistance(a.key, b.key))
        let score = (jaroWinkler(a.key, b.key) + 1 - distance / Double(max(a.key.count, b.key.count))) / 2
        return score >= wordFloor ? score : 0
    }

    /// Words with no counterpart: half a word each, so "Ромашка" against "Ромашка Плюс" scores 0.67;
    /// an extra patronymic when the other name has none counts very little (a name often omits it).
    static func unmatchedWeight(_ words: [ComparableWord], otherHasPatronymic: Bool) -> Double {
        words.reduce(0) { sum, word in sum + (word.isPatronymic && !otherHasPatronymic ? 0.1 : 0.5) }
    }

    /// Edits (insertion, deletion, substitution, swap of neighbours) from one word to the other: the
    /// optimal string alignment form of the Damerau-Levenshtein distance.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }

    /// Jaro-Winkler similarity with the usual prefix scale 0.1 over at most four characters.
    static func jaroWinkler(_ a: [UInt8], _ b: [UInt8]) -> Double {
        if a.isEmpty || b.isEmpty { return a.isEmpty && b.isEmpty ? 1 : 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var matchedA = [Bool](repeating: false, count: a.count)
        var matchedB = [Bool](repeating: false, count: b.count)
        var matches = 0
        for i in a.indices {
            let low = max(0, i - window)
            let high = min(b.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where !matchedB[j] && a[i] == b[j] {
                matchedA[i] = true
                matchedB[j] = true
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0
        var j = 0
        for i in a.indices where matchedA[i] {
            while !matchedB[j] { j += 1 }
            if a[i] != b[j] { transpositions += 1 }
            j += 1
        }
        let m = Double(matches)
        let jaro = (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions) / 2) / m) / 3
        let prefix = zip(a.prefix(4), b.prefix(4)).prefix { $0 == $1 }.count
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }
}

/// The phonetic skeleton of a word as units: lowercase letters, plus one uppercase placeholder for
/// each sound that Latin spells with several letters (so one typo costs one unit, and `sh` + `ch`
/// never reads as `shch`).
enum NameSkeleton {
    /// щ, ч, ш, ж, ц and how the skeleton spells them.
    static let placeholders: [UInt8: String] = [
        UInt8(ascii: "Q"): "shch", UInt8(ascii: "C"): "ch", UInt8(ascii: "W"): "sh", UInt8(ascii: "Z"): "zh", UInt8(ascii: "T"): "ts",
    ]

    /// Spellings folded to one form, longest first: ICAO, GOST, Library of Congress, German, Polish
    /// and French habits (`Schukin`, `Tschaikowski`, `Czajkowski`), Bulgarian `sht` for щ (so шт
    /// reads as щ too: Штерн and Shtern still agree).
    static let spellings: [(String, [UInt8])] = [
        ("shch", [Q]), ("szcz", [Q]), ("tsch", [C]), ("sch", [Q]), ("sht", [Q]), ("tch", [C]), ("ch", [C]), ("cz", [C]),
        ("sh", [W]), ("sz", [W]), ("zh", [Z]), ("ts", [T]), ("tz", [T]), ("kh", ascii("h")), ("ph", ascii("f")),
        ("th", ascii("t")), ("ck", ascii("k")), ("x", ascii("ks")), ("w", ascii("v")), ("q", ascii("k")), ("c", ascii("k")),
        ("y", ascii("i")), ("j", ascii("i")),
    ]

    static let Q = UInt8(ascii: "Q")
    static let C = UInt8(ascii: "C")
    static let W = UInt8(ascii: "W")
    static let Z = UInt8(ascii: "Z")
    static let T = UInt8(ascii: "T")
    static let i = UInt8(ascii: "i")
    static let e = UInt8(ascii: "e")
    static let o = UInt8(ascii: "o")
    static let vowels: Set<UInt8> = Set("aeiou".utf8)

    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Names repeat (thousands of Ivans): a word's units are computed once and remembered, up to
    /// a bound (then the memory starts over).
    static let memory = WordMemory<[UInt8]>()

    static func units(_ word: String) -> [UInt8] {
        memory.value(for: word) { computeUnits($0) }
    }

    static func computeUnits(_ word: String) -> [UInt8] {
        var units = tokens(latinLetters(word))
        // -off, -ff: the French and German way of writing -ов (Ivanoff).
        if units.count > 3, units.suffix(2) == ascii("ff") { units.replaceSubrange(units.count - 2..<units.count, with: ascii("v")) }
        units = collapsed(units)
        var folded: [UInt8] = []
        var index = 0
        while index < units.count {
            let next = index + 1 < units.count ? units[index + 1] : nil
            if units[index] == i, next == e {
                // е written ye/ie/je (Yevgeny, Sergeyev, Grigoriev) and ье, ие read as е.
                index += 1
            } else if index > 0, units[index] == i, next == o {
                // ё written yo/io/jo (Fyodor, Pyotr, Korolyov) read as е, the way Cyrillic writes it
                // mostly. A word's first io stays (Йордан, Yordan): a word-initial ё is read as йо.
                folded.append(e)
                index += 2
            } else {
                folded.append(units[index])
                index += 1
            }
        }
        units = collapsed(folded)
        // -er after a consonant written without the e (Alexander/Александр, Peter/Пётр).
        if units.count > 3, units.suffix(2) == ascii("er"), !vowels.contains(units[units.count - 3]) {
            units.remove(at: units.count - 2)
        }
        return units
    }

    static func expand(_ units: [UInt8]) -> String {
        var text = ""
        for unit in units {
            if let spelling = placeholders[unit] { text += spelling } else { text.unicodeScalars.append(Unicode.Scalar(unit)) }
        }
        return text
    }

    /// Patronymics: -ович, -евич, -ична, -овна, -евна (and Ukrainian -івна).
    static func isPatronymic(_ units: [UInt8]) -> Bool {
        units.count > 4
            && (units.suffix(3) == [UInt8(ascii: "v"), UInt8(ascii: "i"), C] || units.suffix(3) == ascii("vna")
                || units.suffix(4) == [UInt8(ascii: "i"), C, UInt8(ascii: "n"), UInt8(ascii: "a")])
    }

    /// The word in lowercase ASCII letters: Cyrillic transliterated, accents dropped, the rest removed.
    static func latinLetters(_ word: String) -> String {
        var cyrillic = ""
        let characters = Array(word.lowercased())
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            // Bulgarian ъ is a vowel (Стъпков = Stapkov); Russian ъ only ever stands before е, ё, ю, я.
            case "ъ" where next.map { isCyrillicConsonant($0) } ?? false: cyrillic.append("а")
            // ьо is ё in all but name (Жельо, Соловьов).
            case "ь" where next == "о": cyrillic.append("ё")
            case "ё" where index == 0: cyrillic += "йо"
            case "о" where index > 0 && characters[index - 1] == "ь": break
            default: cyrillic.append(character)
            }
        }
        var letters = ""
        for scalar in Transliteration.latin(cyrillic).decomposedStringWithCanonicalMapping.unicodeScalars {
            if let replacement = Self.specialLetters[scalar] {
                letters += replacement
            } else if ("a"..."z").contains(scalar) {
                letters.unicodeScalars.append(scalar)
            }
        }
        return letters
    }

    /// Letters that neither the transliteration nor dropping accents turns into a-z: Latin ligatures
    /// and slashed letters, Ukrainian, Belarusian, Serbian and Macedonian Cyrillic (ї, ў, ѓ and ќ
    /// arrive here as their base letter once the accent is split off).
    static let specialLetters: [Unicode.Scalar: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
        "і": "i", "є": "ie", "ґ": "g", "у": "u", "г": "g", "к": "k", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz",
    ]

    static func isCyrillicConsonant(_ character: Character) -> Bool {
        "бвгджзйклмнпрстфхцчшщ".contains(character)
    }

    /// Splits letters into units, folding the spellings above.
    static func tokens(_ letters: String) -> [UInt8] {
        let bytes = Array(letters.utf8)
        var units: [UInt8] = []
        var index = 0
        outer: while index < bytes.count {
            for (spelling, replacement) in spellings {
                let pattern = spelling.utf8
                if bytes[index...].starts(with: pattern) {
                    units += replacement
                    index += pattern.count
                    continue outer
                }
            }
            units.append(bytes[index])
            index += 1
        }
        return units
    }

    /// Doubled letters written once (Хабибуллин/Habibulin, Юрий/Iurii/Yuri).
    static func collapsed(_ units: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        for unit in units where unit != result.last { result.append(unit) }
        return result
    }
}

/// Legal-form words of company names (ООО, ЕООД, LLC, GmbH, ...), compared in Latin letters so both
/// scripts are caught, and the spelled-out forms ("общество с ограниченной ответственностью").
enum LegalForms {
    static let words: Set<String> = [
        "ooo", "oao", "zao", "pao", "ao", "nao", "ip", "nko", "ano", "chp", "eood", "ood", "ad", "ead", "et", "kd", "sd",
        "llc", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "co", "plc", "llp", "lp", "gmbh", "ag", "kg",
        "ug", "jsc", "ojsc", "cjsc", "pjsc", "sa", "srl", "sarl", "bv", "nv", "spa", "pte", "pty", "oy", "ab", "as",
    ]

    static let phrases: [[String]] = [
        "obshchestvo s ogranichennoi otvetstvennostiu", "publichnoe aktsionernoe obshchestvo", "nepublichnoe aktsionernoe obshchestvo",
        "zakrytoe aktsionernoe obshchestvo", "otkrytoe aktsionernoe obshchestvo", "aktsionernoe obshchestvo",
        "individualnyi predprinimatel", "ednolichno druzhestvo s ogranichena otgovornost", "druzhestvo s ogranichena otgovornost",
        "ednolichno aktsionerno druzhestvo", "aktsionerno druzhestvo", "limited liability company", "joint stock company",
    ].map { $0.split(separator: " ").map(String.init) }

    /// The words without legal forms.
    static func removing(from words: [String]) -> [String] {
        let latin = words.map { Transliteration.latin($0) }
        var kept: [String] = []
        var index = 0
        outer: while index < words.count {
            for phrase in phrases where latin[index...].starts(with: phrase) {
                index += phrase.count
                continue outer
            }
            if !Self.words.contains(latin[index]) { kept.append(words[index]) }
            index += 1
        }
        return kept
    }
}

/// A bounded memory of per-word results, shared by all threads.
final class WordMemory<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    let limit: Int

    init(limit: Int = 50_000) { self.limit = limit }

    func value(for word: String, compute: (String) -> Value) -> Value {
        if let known = entries.withLock({ $0[word] }) { return known }
        let value = compute(word)
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[word] = value
        }
        return value
    }
}
