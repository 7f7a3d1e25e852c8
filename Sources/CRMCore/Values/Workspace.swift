import Foundation

public struct Workspace: Sendable, Hashable {
    public var id: UUID
    public var slug: String
    public var name: String
    public var createdAt: Date

    public init(id: UUID, slug: String, name: String, createdAt: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
    }
}
