import Foundation

public struct NotificationEntry: Sendable, Hashable {
    public var id: UUID
    public var userID: UUID
    public var kind: String
    public var entity: String
    public var recordID: UUID
    public var title: String
    public var details: JSONValue
    public var actorID: UUID?
    public var createdAt: Date
    public var readAt: Date?

    public var json: JSONValue {
        [
            "id": .string(id.lowercased), "kind": .string(kind), "entity": .string(entity), "record_id": .string(recordID.lowercased),
            "title": .string(title), "details": details, "actor_id": actorID.map { .string($0.lowercased) } ?? .null,
            "created_at": .string(Timestamps.format(createdAt)), "read": .bool(readAt != nil),
            "read_at": readAt.map { .string(Timestamps.format($0)) } ?? .null,
        ]
    }

    public init(
        id: UUID, userID: UUID, kind: String, entity: String, recordID: UUID, title: String, details: JSONValue, actorID: UUID? = nil,
        createdAt: Date, readAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.entity = entity
        self.recordID = recordID
        self.title = title
        self.details = details
        self.actorID = actorID
        self.createdAt = createdAt
        self.readAt = readAt
    }
}
