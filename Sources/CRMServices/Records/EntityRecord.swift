import CRMCore

/// A record together with the definition it was read or written with, so callers can render it
/// without looking the entity up a second time. Reads through to the record's properties.
@dynamicMemberLookup
public struct EntityRecord: Sendable {
    public let record: Record
    public let entity: EntityDefinition

    public subscript<Value>(dynamicMember keyPath: KeyPath<Record, Value>) -> Value { record[keyPath: keyPath] }

    public init(record: Record, entity: EntityDefinition) {
        self.record = record
        self.entity = entity
    }

    /// A record as `scope`'s caller sees it: the fields hidden from them are left out.
    public init(record: Record, entity: EntityDefinition, seenBy scope: AccessScope) {
        self.init(record: record, entity: entity.hiding(scope.hiddenFields(entity.pluralName)))
    }

    /// The API form.
    public var json: JSONValue { record.json(in: entity) }
}
