import Foundation

/// One stay of a deal in a stage.
public struct StageStay: Sendable, Hashable {
    public var id: UUID
    public var dealID: UUID
    public var pipelineID: UUID
    public var stage: String
    public var enteredAt: Date
    public var leftAt: Date?
    public var enteredBy: UUID?

    public func json(now: Date) -> JSONValue {
        let end = leftAt ?? now
        return [
            "id": .string(id.lowercased), "deal_id": .string(dealID.lowercased), "pipeline_id": .string(pipelineID.lowercased),
            "stage": .string(stage), "entered_at": .string(Timestamps.format(enteredAt)),
            "left_at": leftAt.map { .string(Timestamps.format($0)) } ?? .null,
            "entered_by": enteredBy.map { .string($0.lowercased) } ?? .null,
            "seconds_in_stage": .int(Int64(max(0, end.timeIntervalSince(enteredAt)).rounded(.down))),
        ]
    }

    public init(id: UUID, dealID: UUID, pipelineID: UUID, stage: String, enteredAt: Date, leftAt: Date? = nil, enteredBy: UUID? = nil) {
        self.id = id
        self.dealID = dealID
        self.pipelineID = pipelineID
        self.stage = stage
        self.enteredAt = enteredAt
        self.leftAt = leftAt
        self.enteredBy = enteredBy
    }
}
