import Foundation

/// A saved list view (filters, sort and columns under a name), the owner's or shared.
public struct SavedView: Sendable, Hashable {
    public var id: UUID
    public var userID: UUID
    public var entity: String
    public var name: String
    /// The list page's query string (`last_name[starts]=Ив&sort=-created_at&columns=…`).
    public var query: String
    public var shared: Bool
    public var createdAt: Date

    public init(id: UUID, userID: UUID, entity: String, name: String, query: String, shared: Bool, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.entity = entity
        self.name = name
        self.query = query
        self.shared = shared
        self.createdAt = createdAt
    }
}
