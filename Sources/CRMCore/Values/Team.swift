import Foundation

public struct Team: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var headID: UUID?
    public var memberIDs: [UUID]

    public init(id: UUID, name: String, headID: UUID?, memberIDs: [UUID]) {
        self.id = id
        self.name = name
        self.headID = headID
        self.memberIDs = memberIDs
    }
}
