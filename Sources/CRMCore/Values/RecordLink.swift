import Foundation

/// A link between two records: a contact's membership in a company, a deal's contact with a
/// role, a meeting's participant.
public struct RecordLink: Sendable, Hashable {
    public var id: UUID
    public var kind: String
    public var fromID: UUID
    public var toEntity: String
    public var toID: UUID
    public var role: String?
    public var title: String?
    public var isPrimary: Bool
    public var createdAt: Date
    public var createdBy: UUID?

    public init(
        id: UUID, kind: String, fromID: UUID, toEntity: String, toID: UUID, role: String?, title: String?, isPrimary: Bool,
        createdAt: Date, createdBy: UUID?
    ) {
        self.id = id
        self.kind = kind
        self.fromID = fromID
        self.toEntity = toEntity
        self.toID = toID
        self.role = role
        self.title = title
        self.isPrimary = isPrimary
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}
