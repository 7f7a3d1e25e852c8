import CRMCore
import CRMStorage
import Foundation

/// Counters of work waiting: overdue and due-today activities, leads and open deals without a
/// planned activity. For the caller, or (for administrators, who act as managers until roles
/// arrive) for another user or for the whole team.
public struct CounterService: Sendable {
    let database: any Database

    public func counters(userID requested: UUID?, team: Bool, scope: AccessScope) async throws -> [WorkCounters] {
        guard let caller = scope.userID else { throw CRMError.unauthenticated("counters are per user") }
        if team || (requested != nil && requested != caller) {
            guard scope.isAdmin else { throw CRMError.forbidden("only managers (administrators) see other users' counters") }
        }
        let now = Timestamps.now()
        return try await database.read(workspace: scope.workspaceID) { connection in
            var users: [User] = []
            if team {
                users = try await UserStore.list(workspaceID: scope.workspaceID, on: connection).filter(\.isActive)
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
