import CRMCore
import CRMStorage
import Foundation

/// Repeating tasks and meetings are stored as one record per occurrence, sharing `series_id`
/// (the first occurrence's id, which also keeps the rule). Occurrences are created up to
/// `horizon` ahead; the `activities.extend` job tops up series that go on longer.
enum ActivitySeries {
    static let horizon: TimeInterval = 366 * 86_400
    static let batchLimit = 400

    /// Creates the occurrences after `master` up to the horizon, as the same writer's writes.
    static func materialize(master: Record, rule: RepeatRule, entity: EntityDefinition, writer: RecordWriter) async throws {
        try await extend(series: master, last: master, existing: 1, rule: rule, entity: entity, writer: writer)
    }

    /// Adds occurrences following `last` until the horizon or the rule's end.
    static func extend(
        series master: Record, last: Record, existing: Int, rule: RepeatRule, entity: EntityDefinition, writer: RecordWriter
    ) async throws {
        let anchorField = master.values["due_at"] != nil ? "due_at" : "start_at"
        guard case .datetime(let masterStart)? = master.values[anchorField], case .datetime(let lastStart)? = last.values[anchorField]
        else { return }
        let timeZone = try await ownerTimeZone(master, writer: writer)
        var remaining = batchLimit
        if case .count(let count) = rule.end { remaining = min(remaining, count - existing) }
        guard remaining > 0 else { return }
        // Recompute from the series start so month-end and weekday rules stay anchored to it.
        let all = rule.occurrences(from: masterStart, timeZone: timeZone, limit: existing + remaining, notAfter: writer.now + horizon)
        // Stored instants are whole milliseconds (both databases read them so); computed ones are
        // compared at milliseconds too, or the last occurrence could look new and be made twice.
        let upcoming = all.map(Timestamps.truncated).filter { $0 > lastStart }.prefix(remaining)
        for start in upcoming {
            let shift = start.timeIntervalSince(masterStart)
            var values = master.values
            values["repeat"] = nil
            values["status"] = .text("planned")
            values["completed_at"] = nil
            for name in ["due_at", "start_at", "end_at", "reminder_at"] {
                if case .datetime(let date)? = master.values[name] { values[name] = .datetime(date + shift) }
            }
            values["series_id"] = .uuid(master.id)
            if let owner = master.ownerID { values["owner_id"] = .uuid(owner) }
            if !master.tags.isEmpty { values["tags"] = .list(master.tags) }
            _ = try await writer.create(values, entity: entity, notify: false)
        }
    }

    static func ownerTimeZone(_ record: Record, writer: RecordWriter) async throws -> TimeZone {
        guard let owner = record.ownerID,
            let user = try await UserStore.find(id: owner, workspaceID: writer.scope.workspaceID, on: writer.connection),
            let zone = TimeZone(identifier: user.timeZone)
        else { return TimeZone(identifier: "UTC")! }
        return zone
    }
}
