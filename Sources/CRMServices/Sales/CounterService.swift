import CRMCore
import CRMStorage
import Foundation

/// Counters of work waiting: overdue and due-today activities, leads and open deals without a
/// planned activity. For the caller, for another user whose work the caller's read scope reaches
/// (a manager's subordinates, a teammate under team scope; everyone for an administrator), or
/// for all of those at once (`team`). Only records the caller may read are counted.
public struct CounterService: Sendable {
    let database: any Database

    /// The entities counters count.
    static let counted = [BuiltinEntities.activity, BuiltinEntities.lead, BuiltinEntities.deal]

    /// Whether the caller's read scope reaches any record of this owner among the counted entities.
    static func reaches(_ owner: UUID, scope: AccessScope) -> Bool {
        guard let grants = scope.grants else { return true }
        return counted.contains { grants.covers(owner: owner, $0.pluralName, .read) }
    }

    public func counters(userID requested: UUID?, team: Bool, scope: AccessScope) async throws -> [WorkCounters] {
        guard let caller = scope.userID else { throw CRMError.unauthenticated("counters are per user") }
        if !team, let requested, requested != caller, !Self.reaches(requested, scope: scope) {
            throw CRMError.forbidden("your access does not reach this user's work")
        }
        let now = Timestamps.now()
        return try await database.read(workspace: scope.workspaceID) { connection in
            var users: [User] = []
            if team {
                users = try await UserStore.list(workspaceID: scope.workspaceID, on: connection).filter {
                    $0.isActive && ($0.id == caller || Self.reaches($0.id, scope: scope))
                }
            } else {
                guard let user = try await UserStore.find(id: requested ?? caller, workspaceID: scope.workspaceID, on: connection) else {
                    throw CRMError.validation([
                        ValidationIssue(field: "user_id", code: "reference", message: "user_id is not a user of this workspace")
                    ])
                }
                users = [user]
            }
            var result: [WorkCounters] = []
            for user in users {
                let (start, end) = Self.day(containing: now, timeZone: TimeZone(identifier: user.timeZone) ?? TimeZone(identifier: "UTC")!)
                result.append(
                    try await CounterStore.counters(userID: user.id, now: now, dayStart: start, dayEnd: end, scope: scope, on: connection))
            }
            return result
        }
    }

    static func day(containing date: Date, timeZone: TimeZone) -> (Date, Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.startOfDay(for: date)
        return (start, calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400))
    }
}
