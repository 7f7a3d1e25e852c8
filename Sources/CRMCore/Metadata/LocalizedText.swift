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
