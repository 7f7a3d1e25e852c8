import CRMCore

/// A record together with the definition it was read or written with, so callers can render it
/// without looking the entity up a second time. Reads through to the record's properties.
@dynamicMemberLookup
public struct EntityRecord: Sendable {
    public let record: Record
    public let entity: EntityDefinition

    public subscript<Value>(dynamicMember keyPath: KeyPath<Record, Value>) -> Value { record[keyPath: keyPath] }

    /// The API form.
    public var json: JSONValue { record.json(in: entity) }
}
