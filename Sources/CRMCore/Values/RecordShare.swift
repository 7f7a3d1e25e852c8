import Foundation

/// A record opened to a user or a team, for reading or editing.
public struct RecordShare: Sendable, Hashable {
    public enum Grantee: String, Sendable { case user, team }
    public var id: UUID
    public var entity: String
    public var recordID: UUID
    public var granteeKind: Grantee
    public var granteeID: UUID
    /// `read` or `edit`.
    public var access: AccessAction

    public init(id: UUID, entity: String, recordID: UUID, granteeKind: Grantee, granteeID: UUID, access: AccessAction) {
        self.id = id
        self.entity = entity
        self.recordID = recordID
        self.granteeKind = granteeKind
        self.granteeID = granteeID
        self.access = access
    }
}
