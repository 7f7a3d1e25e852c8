import Foundation

/// One entry of a record's history.
public struct AuditEntry: Sendable, Hashable {
    public var id: UUID
    public var entity: String
    public var recordID: UUID
    public var action: String
    public var actorID: UUID?
    public var at: Date
    public var title: String?
    public var changes: JSONValue

    public init(
        id: UUID, entity: String, recordID: UUID, action: String, actorID: UUID?, at: Date, title: String?, changes: JSONValue
    ) {
        self.id = id
        self.entity = entity
        self.recordID = recordID
        self.action = action
        self.actorID = actorID
        self.at = at
        self.title = title
        self.changes = changes
    }
}

/// Filters of the workspace-wide history.
public struct AuditFilter: Sendable {
    public var entity: String?
    public var recordID: UUID?
    public var actorID: UUID?
    public var action: String?
    public var from: Date?
    public var to: Date?
    public var before: UUID?
    public var limit: Int

    public init(
        entity: String? = nil, recordID: UUID? = nil, actorID: UUID? = nil, action: String? = nil, from: Date? = nil,
        to: Date? = nil, before: UUID? = nil, limit: Int = 50
    ) {
        self.entity = entity
        self.recordID = recordID
        self.actorID = actorID
        self.action = action
        self.from = from
        self.to = to
        self.before = before
        self.limit = limit
    }
}
