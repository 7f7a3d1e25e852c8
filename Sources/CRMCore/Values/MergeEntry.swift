import Foundation

/// A merge of duplicates, kept so it can be undone.
public struct MergeEntry: Sendable, Hashable {
    public var id: UUID
    public var entity: String
    public var survivorID: UUID
    public var mergedIDs: [UUID]
    /// `{"before": {field: value}, "after": {field: value}}` of the survivor's fields the merge set.
    public var survivor: JSONValue
    /// `{"records": [{entity, id, field, from}], "links": [{old link}, ...], "new_links": [ids]}`.
    public var moved: JSONValue
    public var createdAt: Date
    public var createdBy: UUID?
    public var undoneAt: Date?

    public init(
        id: UUID, entity: String, survivorID: UUID, mergedIDs: [UUID], survivor: JSONValue, moved: JSONValue, createdAt: Date,
        createdBy: UUID?, undoneAt: Date? = nil
    ) {
        self.id = id
        self.entity = entity
        self.survivorID = survivorID
        self.mergedIDs = mergedIDs
        self.survivor = survivor
        self.moved = moved
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.undoneAt = undoneAt
    }

    public var json: JSONValue {
        [
            "id": .string(id.lowercased), "entity": .string(entity), "survivor_id": .string(survivorID.lowercased),
            "merged_ids": .array(mergedIDs.map { .string($0.lowercased) }), "created_at": .string(Timestamps.format(createdAt)),
            "created_by": createdBy.map { .string($0.lowercased) } ?? .null,
            "undone_at": undoneAt.map { .string(Timestamps.format($0)) } ?? .null,
            "moved_records": .int(Int64(moved["records"]?.arrayValue?.count ?? 0)),
            "moved_links": .int(Int64(moved["links"]?.arrayValue?.count ?? 0)),
        ]
    }
}
