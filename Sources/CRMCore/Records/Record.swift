import Foundation

/// One stored record of any entity: the standard columns plus its field values by name.
public struct Record: Sendable, Hashable {
    public var entity: String
    public var id: UUID
    public var number: String
    public var ownerID: UUID?
    public var tags: [String]
    public var createdAt: Date
    public var createdBy: UUID?
    public var updatedAt: Date
    public var updatedBy: UUID?
    public var version: Int64
    public var deletedAt: Date?
    /// Entity fields (built-in and custom) by name; absent means null.
    public var values: [String: FieldValue]

    public init(
        entity: String, id: UUID, number: String, ownerID: UUID?, tags: [String], createdAt: Date, createdBy: UUID?,
        updatedAt: Date, updatedBy: UUID?, version: Int64, deletedAt: Date? = nil, values: [String: FieldValue]
    ) {
        self.entity = entity
        self.id = id
        self.number = number
        self.ownerID = ownerID
        self.tags = tags
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.version = version
        self.deletedAt = deletedAt
        self.values = values
    }

    /// A value by field name, the standard fields included.
    public func value(of name: String) -> FieldValue {
        switch name {
        case "id": .uuid(id)
        case "number": .text(number)
        case "owner_id": ownerID.map { .uuid($0) } ?? .null
        case "tags": tags.isEmpty ? .null : .list(tags)
        case "created_at": .datetime(createdAt)
        case "created_by": createdBy.map { .uuid($0) } ?? .null
        case "updated_at": .datetime(updatedAt)
        case "updated_by": updatedBy.map { .uuid($0) } ?? .null
        case "version": .integer(version)
        default: values[name] ?? .null
        }
    }

    /// The display title: the entity's title fields joined, or the number.
    public func title(in entity: EntityDefinition) -> String {
        let parts = entity.titleFields.compactMap { values[$0]?.plainText }.filter { !$0.isEmpty }
        return parts.isEmpty ? number : parts.joined(separator: " ")
    }

    /// The API form: standard fields first, then every entity field (nulls included).
    public func json(in entity: EntityDefinition) -> JSONValue {
        var object = JSONObject()
        for field in StandardFields.all {
            object.append(field.name, field.name == "tags" ? .array(tags.map { .string($0) }) : value(of: field.name).json)
        }
        for field in entity.fields {
            object.append(field.name, (values[field.name] ?? .null).json)
        }
        return .object(object)
    }
}
