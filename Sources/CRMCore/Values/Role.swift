import Foundation

public struct Role: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var parentID: UUID?

    public init(id: UUID, name: String, parentID: UUID?) {
        self.id = id
        self.name = name
        self.parentID = parentID
    }
}
