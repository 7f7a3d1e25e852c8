import Foundation

/// The work a salesperson has waiting, counted per owner.
public struct WorkCounters: Sendable, Hashable {
    public var userID: UUID
    public var overdue = 0
    public var dueToday = 0
    public var leadsWithoutActivity = 0
    public var dealsWithoutActivity = 0

    public init(userID: UUID) { self.userID = userID }

    public var json: JSONValue {
        [
            "user_id": .string(userID.lowercased), "overdue": .int(Int64(overdue)), "due_today": .int(Int64(dueToday)),
            "leads_without_activity": .int(Int64(leadsWithoutActivity)), "deals_without_activity": .int(Int64(dealsWithoutActivity)),
            "total": .int(Int64(overdue + dueToday + leadsWithoutActivity + dealsWithoutActivity)),
        ]
    }
}
