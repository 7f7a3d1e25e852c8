import CRMCore
import Foundation

/// The UI strings of one language. Every visible text of the pages goes through here: a key
/// names it (`nav.contacts`) and each language's catalog holds its words; a test holds the three
/// catalogs to the same keys. Placeholders are `{0}`, `{1}`…; counts go through `plural`, which
/// picks the form the language needs ("1 контакт, 2 контакта, 5 контактов").
public struct Translator: Sendable {
    public static let languages = ["ru", "bg", "en"]

    public let language: String
    let catalog: [String: String]

    public init(language: String) {
        self.language = Self.languages.contains(language) ? language : "en"
        self.catalog = Self.catalogs[self.language] ?? Catalogs.en
    }

    static let catalogs: [String: [String: String]] = ["en": Catalogs.en, "ru": Catalogs.ru, "bg": Catalogs.bg]

    /// The text of a key; English when the language lacks it, the key itself when both do (a
    /// test keeps that from shipping).
    public func callAsFunction(_ key: String) -> String {
        catalog[key] ?? Catalogs.en[key] ?? key
    }

    /// The text of a key with its `{0}`, `{1}`… filled in.
    public func callAsFunction(_ key: String, _ arguments: String...) -> String {
        var text = self(key)
        for (index, argument) in arguments.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return text
    }

    /// `key.one`, `key.few`, `key.many` or `key.other` by the language's plural rule, with
    /// `{n}` replaced by the count as this language writes numbers.
    public func plural(_ key: String, _ count: Int) -> String {
        let category = Self.pluralCategory(count, language: language)
        let text = catalog["\(key).\(category)"] ?? catalog["\(key).other"] ?? Catalogs.en["\(key).other"] ?? key
        return text.replacingOccurrences(of: "{n}", with: LocaleFormat(language: language).integer(Int64(count)))
    }

    /// CLDR's cardinal rules for whole numbers: Russian one/few/many, Bulgarian and English
    /// one/other.
    public static func pluralCategory(_ count: Int, language: String) -> String {
        let n = abs(count)
        switch language {
        case "ru":
            let lastTwo = n % 100
            let last = n % 10
            if last == 1 && lastTwo != 11 { return "one" }
            if (2...4).contains(last) && !(12...14).contains(lastTwo) { return "few" }
            return "many"
        default:
            return n == 1 ? "one" : "other"
        }
    }

    /// The language a visitor's browser asks for (`Accept-Language`), among ours; English when
    /// it names none of them.
    public static func preferred(acceptLanguage header: String?) -> String {
        guard let header else { return "en" }
        var best: (language: String, quality: Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";")
            guard let tag = pieces.first?.trimmingCharacters(in: .whitespaces).lowercased() else { continue }
            let primary = String(tag.split(separator: "-").first ?? "")
            guard languages.contains(primary) else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() {
                let pair = parameter.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix("q="), let value = Double(pair.dropFirst(2)) { quality = value }
            }
            if quality > (best?.quality ?? -1) { best = (primary, quality) }
        }
        return best?.language ?? "en"
    }

    /// A field's or entity's label in this language.
    public func label(_ text: LocalizedText) -> String { text[language] }
}
