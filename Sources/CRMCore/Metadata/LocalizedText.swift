/// A text in the UI languages (`en`, `ru`, `bg`). English is the fallback.
public struct LocalizedText: Sendable, Hashable, Codable {
    public static let languages = ["en", "ru", "bg"]
    public var values: [String: String]

    public init(en: String, ru: String? = nil, bg: String? = nil) {
        var values = ["en": en]
        values["ru"] = ru
        values["bg"] = bg
        self.values = values
    }

    public init(values: [String: String]) { self.values = values }

    public subscript(language: String) -> String {
        values[language] ?? values["en"] ?? values.values.sorted().first ?? ""
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}

extension LocalizedText {
    /// The API form: `{"en": ..., "ru": ..., "bg": ...}` with the languages it has.
    public var json: JSONValue {
        .object(JSONObject(LocalizedText.languages.compactMap { language in values[language].map { (language, .string($0)) } }))
    }

    /// Reads `"text"` (English) or `{"en": ..., "ru": ..., "bg": ...}`; nil when neither.
    public static func parse(_ json: JSONValue, maxLength: Int = 100) -> LocalizedText? {
        switch json {
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= maxLength else { return nil }
            return LocalizedText(en: trimmed)
        case .object(let object):
            var values: [String: String] = [:]
            for (language, value) in object {
                guard languages.contains(language), let text = value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines),
                    !text.isEmpty, text.count <= maxLength
                else { return nil }
                values[language] = text
            }
            return values.isEmpty ? nil : LocalizedText(values: values)
        default:
            return nil
        }
    }
}
