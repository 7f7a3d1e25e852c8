import Foundation

/// The exact keys the duplicate check looks records up by, kept apart from the records
/// (`MatchKeyStore`) so that a look-up costs the same whatever the data holds: a phone's match key,
/// an e-mail, a tax id, and the phonetic skeletons of a name — each word alone and every pair of
/// words — so "Иван Иванов" finds "Ivan Petrovich Ivanov" through one key, not by intersecting the
/// postings of two common words.
public enum MatchKeys {
    /// At most this many words of a name make keys (a name of five words has fifteen).
    static let nameWordLimit = 5

    /// Keys a record is stored under.
    /// `phoneKeys` are `PhoneNumber.matchKey`s, `emails` lower-cased, `inn` digits.
    public static func stored(phoneKeys: [String], emails: [String], inn: String?, name: String) -> [String] {
        var keys = exact(phoneKeys: phoneKeys, emails: emails, inn: inn)
        let words = nameSkeletons(name)
        keys += words.map { "n:" + $0 }
        for (index, first) in words.enumerated() {
            for second in words[(index + 1)...] { keys.append(pair(first, second)) }
        }
        return unique(keys)
    }

    /// Keys to look a probe up by: its exact keys, and its name's pairs (or its one word).
    public static func lookup(phoneKeys: [String], emails: [String], inn: String?, name: String) -> [String] {
        var keys = exact(phoneKeys: phoneKeys, emails: emails, inn: inn)
        let words = nameSkeletons(name)
        if words.count == 1 {
            keys.append("n:" + words[0])
        } else {
            for (index, first) in words.enumerated() {
                for second in words[(index + 1)...] { keys.append(pair(first, second)) }
            }
        }
        return unique(keys)
    }

    /// Whether a key is exact (a phone, an e-mail, a tax id) rather than a name's.
    public static func isExact(_ key: String) -> Bool { !key.hasPrefix("n:") }

    static func exact(phoneKeys: [String], emails: [String], inn: String?) -> [String] {
        var keys = phoneKeys.map { "p:" + $0 }
        keys += emails.filter { !$0.isEmpty }.map { "e:" + $0 }
        if let inn { keys.append("i:" + inn) }
        return keys
    }

    /// A name's distinct word skeletons (legal forms left out unless nothing else remains), sorted,
    /// those of two letters or more; initials make no key.
    public static func nameSkeletons(_ name: String) -> [String] {
        let all = NameMatching.words(name)
        let kept = LegalForms.removing(from: all)
        var skeletons = Set<String>()
        for word in (kept.isEmpty ? all : kept).prefix(nameWordLimit) {
            let skeleton = NameMatching.skeleton(word)
            if skeleton.count >= 2 { skeletons.insert(String(skeleton.prefix(40))) }
        }
        return skeletons.sorted()
    }

    static func pair(_ first: String, _ second: String) -> String { "n:" + first + " " + second }

    static func unique(_ keys: [String]) -> [String] {
        var seen = Set<String>()
        return keys.filter { !$0.isEmpty && $0.utf8.count <= 200 && seen.insert($0).inserted }
    }
}
