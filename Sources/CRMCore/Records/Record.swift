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

    /// The display title: the entity's title fields joined, or the number. A title field the
    /// entity does not have (hidden from the caller: see `EntityDefinition.hiding`) is left out.
    public func title(in entity: EntityDefinition) -> String {
        let parts = entity.titleFields.compactMap { entity.field(named: $0) == nil ? nil : values[$0]?.plainText }.filter { !$0.isEmpty }
        return parts.isEmpty ? number : parts.joined(separator: " ")
    }

    /// The API form: standard fields first, then every entity field (nulls included).
    public func json(in entity: EntityDefinition) -> JSONValue {
        var object = JSONObject()
        forEachJSONField(in: entity) { name, value in object.append(name, value) }
        return .object(object)
    }

    /// The API form written straight to JSON text (lists write many records; no tree is built).
    public func writeJSON(in entity: EntityDefinition, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        var first = true
        forEachJSONField(in: entity) { name, value in
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(name, to: &output)
            output.append(UInt8(ascii: ":"))
            value.write(to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Every field of the API form in order: the standard fields (as `StandardFields.all` lists
    /// them), then the entity's fields. The one definition both `json` and `writeJSON` follow.
    func forEachJSONField(in entity: EntityDefinition, _ body: (String, JSONValue) -> Void) {
        body("id", .string(id.lowercased))
        body("number", .string(number))
        body("owner_id", ownerID.map { .string($0.lowercased) } ?? .null)
        body("tags", .array(tags.map { .string($0) }))
        body("created_at", .string(Timestamps.format(createdAt)))
        body("created_by", createdBy.map { .string($0.lowercased) } ?? .null)
        body("updated_at", .string(Timestamps.format(updatedAt)))
        body("updated_by", updatedBy.map { .string($0.lowercased) } ?? .null)
        body("version", .int(version))
        for name in entity.fieldNames {
            body(name, values[name]?.json ?? .null)
        }
    }
}
