/// One option of a single or multiple choice field.
public struct ChoiceOption: Sendable, Hashable, Codable {
    public var value: String
    public var label: LocalizedText

    public init(_ value: String, _ en: String, ru: String? = nil, bg: String? = nil) {
        self.value = value
        self.label = LocalizedText(en: en, ru: ru, bg: bg)
    }

    public init(value: String, label: LocalizedText) {
        self.value = value
        self.label = label
    }
}

/// Describes one field of an entity. Built-in and custom fields use this same struct and go
/// through the same validation, storage, query and API code.
public struct FieldDefinition: Sendable, Hashable, Codable {
    /// A custom field's name: `c_` and 1-50 of `a-z 0-9 _`, starting with a letter. Checked when
    /// a field is defined and again whenever definitions are read back from storage: the name
    /// is written into SQL (a JSON path) where a value cannot be bound.
    public static func isValidCustomName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 3, bytes.count <= 52, bytes[0] == UInt8(ascii: "c"), bytes[1] == UInt8(ascii: "_"),
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[2])
        else { return false }
        return bytes.dropFirst(3).allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }

    /// The API and storage name (snake_case; custom fields start with `c_`).
    public var name: String
    public var type: FieldType
    public var label: LocalizedText
    public var isRequired: Bool
    /// A custom field lives in the record's `custom` JSON document instead of its own column.
    public var isCustom: Bool
    /// System fields (id, number, timestamps, version) are set by the server, never by clients.
    public var isSystem: Bool
    public var options: [ChoiceOption]
    /// For `reference` fields: the entity the value points at.
    public var referenceEntity: String?
    public var maxLength: Int?
    /// Included in the cross-entity search index.
    public var isSearchable: Bool

    public init(
        name: String, type: FieldType, label: LocalizedText, isRequired: Bool = false, isCustom: Bool = false,
        isSystem: Bool = false, options: [ChoiceOption] = [], referenceEntity: String? = nil, maxLength: Int? = nil,
        isSearchable: Bool = false
    ) {
        self.name = name
        self.type = type
        self.label = label
        self.isRequired = isRequired
        self.isCustom = isCustom
        self.isSystem = isSystem
        self.options = options
        self.referenceEntity = referenceEntity
        self.maxLength = maxLength ?? Self.defaultMaxLength(for: type)
        self.isSearchable = isSearchable
    }

    /// Text limits keep a single request from storing megabytes in one cell.
    public static func defaultMaxLength(for type: FieldType) -> Int? {
        switch type {
        case .text, .email, .phone, .choice: 255
        case .url: 2048
        case .longText: 100_000
        default: nil
        }
    }

    public var isSortable: Bool { type.isSortable }
}

extension ChoiceOption {
    /// The API form: `{"value": ..., "label": {...}}`.
    public var json: JSONValue { ["value": .string(value), "label": label.json] }

    public init?(json: JSONValue) {
        guard let value = json["value"]?.stringValue, let labelJSON = json["label"], let label = LocalizedText.parse(labelJSON) else {
            return nil
        }
        self.init(value: value, label: label)
    }
}
