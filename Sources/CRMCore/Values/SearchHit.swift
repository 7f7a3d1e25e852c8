import Foundation

/// One hit of the cross-entity search.
public struct SearchHit: Sendable, Hashable {
    public var entity: String
    public var id: UUID
    public var title: String
    public var subtitle: String?
    public var score: Double

    public init(entity: String, id: UUID, title: String, subtitle: String? = nil, score: Double) {
        self.entity = entity
        self.id = id
        self.title = title
        self.subtitle = subtitle
        self.score = score
    }
}
