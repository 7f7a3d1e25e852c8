/// Describes an entity: its names, table, number prefix and fields.
///
/// `fields` holds the entity's own fields (built-in and custom); the standard fields every record
/// has (id, number, owner, timestamps, version, tags) come from `StandardFields` and are looked up
/// by `field(named:)` too.
public struct EntityDefinition: Sendable, Hashable {
    public var name: String
    public var pluralName: String
    public var table: String
    public var numberPrefix: String
    public var label: LocalizedText
    public var pluralLabel: LocalizedText
    public private(set) var fields: [FieldDefinition]
    /// The names of `fields`, in order (hot loops read names without copying definitions).
    public private(set) var fieldNames: [String]
    /// Fields joined with spaces to make a record's display title.
    public var titleFields: [String]
    private var index: [String: Int]

    public init(
        name: String, pluralName: String, table: String, numberPrefix: String, label: LocalizedText,
        pluralLabel: LocalizedText, fields: [FieldDefinition], titleFields: [String]
    ) {
        self.name = name
        self.pluralName = pluralName
        self.table = table
        self.numberPrefix = numberPrefix
        self.label = label
        self.pluralLabel = pluralLabel
        self.fields = []
        self.fieldNames = []
        self.titleFields = titleFields
        self.index = [:]
        for field in fields { append(field) }
    }

    public mutating func append(_ field: FieldDefinition) {
        if let existing = index[field.name] {
            fields[existing] = field
        } else {
            index[field.name] = fields.count
            fields.append(field)
            fieldNames.append(field.name)
        }
    }

    /// An entity field or a standard field by its API name.
    public func field(named name: String) -> FieldDefinition? {
        if let position = index[name] { return fields[position] }
        return StandardFields.byName[name]
    }

    public var customFields: [FieldDefinition] { fields.filter(\.isCustom) }
    public var builtinFields: [FieldDefinition] { fields.filter { !$0.isCustom } }

    /// The entity as someone sees it to whom `names` are hidden: those fields are left out, so
    /// bodies, filters and sorts treat them as unknown.
    public func hiding(_ names: Set<String>) -> EntityDefinition {
        guard !names.isEmpty else { return self }
        var copy = self
        copy.fields = []
        copy.fieldNames = []
        copy.index = [:]
        for field in fields where !names.contains(field.name) { copy.append(field) }
        return copy
    }

    /// Every field a record of this entity shows: standard ones first.
    public var allFields: [FieldDefinition] { StandardFields.all + fields }

}

/// The standard fields every record carries.
public enum StandardFields {
    public static let all: [FieldDefinition] = [
        FieldDefinition(name: "id", type: .uuid, label: LocalizedText(en: "ID", ru: "ID", bg: "ID"), isSystem: true),
        FieldDefinition(
            name: "number", type: .text, label: LocalizedText(en: "Number", ru: "Номер", bg: "Номер"), isSystem: true,
            isSearchable: true),
        FieldDefinition(
            name: "owner_id", type: .user, label: LocalizedText(en: "Owner", ru: "Ответственный", bg: "Отговорник")),
        FieldDefinition(name: "tags", type: .tags, label: LocalizedText(en: "Tags", ru: "Теги", bg: "Етикети")),
        FieldDefinition(
            name: "created_at", type: .datetime, label: LocalizedText(en: "Created", ru: "Создано", bg: "Създаден"),
            isSystem: true),
        FieldDefinition(
            name: "created_by", type: .user, label: LocalizedText(en: "Created by", ru: "Создал", bg: "Създаден от"),
            isSystem: true),
        FieldDefinition(
            name: "updated_at", type: .datetime, label: LocalizedText(en: "Updated", ru: "Изменено", bg: "Променен"),
            isSystem: true),
        FieldDefinition(
            name: "updated_by", type: .user, label: LocalizedText(en: "Updated by", ru: "Изменил", bg: "Променен от"),
            isSystem: true),
        FieldDefinition(
            name: "version", type: .integer, label: LocalizedText(en: "Version", ru: "Версия", bg: "Версия"),
            isSystem: true),
    ]

    public static let byName: [String: FieldDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    public static let names: Set<String> = Set(all.map(\.name))
}
