import CRMCore
import CRMStorage
import Foundation

/// Turns activity reminders whose time has come into notifications for the activity's owner.
/// Every minute, per workspace; a reminder fires once (`reminded_at`), moving `reminder_at`
/// later arms it again.
public struct ReminderJob: Sendable {
    public static let kind = "activities.remind"
    let database: any Database

    public init(database: any Database) { self.database = database }

    @discardableResult
    public func run(workspaceID: UUID, now: Date) async throws -> Int {
        let scope = AccessScope.system(workspaceID)
        return try await database.write(workspace: workspaceID) { connection in
            let due = try await ReminderStore.takeDue(now: now, limit: 500, scope: scope, on: connection)
            for reminder in due {
                try await NotificationStore.add(
                    userIDs: [reminder.ownerID], kind: "reminder", entity: "activities", recordID: reminder.id, title: reminder.subject,
                    details: ["reminder_at": .string(Timestamps.format(reminder.reminderAt))], at: now, scope: scope, on: connection)
            }
            return due.count
        }
    }
}
