import CRMCore
import Foundation

/// A job claimed by one instance until `lockedUntil`.
public struct ClaimedJob: Sendable {
    public var workspaceID: UUID
    public var id: UUID
    public var kind: String
    public var payload: JSONValue
    public var intervalSeconds: Int64?
}

/// The job queue in the database, so any instance can run any job and none runs one twice:
/// a claim is an UPDATE that takes a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; the single
/// writer on SQLite). A lease that expires (the instance died) makes the job claimable again.
public enum JobStore {
    /// Schedules a recurring job once per workspace and key; does nothing if it exists.
    public static func ensureRecurring(
        workspaceID: UUID, kind: String, key: String, every seconds: Int64, firstRun: Date, on connection: any DatabaseConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO jobs (workspace_id, id, kind, job_key, run_at, interval_seconds, created_at)
            VALUES (\(.uuid(workspaceID)), \(.uuid(UUIDv7.make())), \(.text(kind)), \(.text(key)), \(.timestamp(firstRun)), \(.int(seconds)), \(.timestamp(Timestamps.now())))
            ON CONFLICT (workspace_id, job_key) DO NOTHING
            """)
    }

    public static func claim(worker: String, lease: TimeInterval, now: Date, on connection: any DatabaseConnection) async throws
        -> ClaimedJob?
    {
        let skipLocked = connection.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let row = try await connection.first(
            """
            UPDATE jobs SET locked_by = \(.text(worker)), locked_until = \(.timestamp(now.addingTimeInterval(lease))), attempts = attempts + 1
            WHERE id = (SELECT id FROM jobs WHERE run_at <= \(.timestamp(now)) AND (locked_until IS NULL OR locked_until < \(.timestamp(now)))
              ORDER BY run_at LIMIT 1\(raw: skipLocked))
            RETURNING workspace_id, id, kind, payload, interval_seconds
            """)
        guard let row, let workspaceID = row.uuid("workspace_id"), let id = row.uuid("id"), let kind = row.string("kind") else {
            return nil
        }
        return ClaimedJob(
            workspaceID: workspaceID, id: id, kind: kind, payload: (try? JSONValue.parse(row.string("payload") ?? "{}")) ?? .null,
            intervalSeconds: row.int("interval_seconds"))
    }

    /// Finishes a job: a recurring one is rescheduled, a one-off removed.
    public static func complete(_ job: ClaimedJob, now: Date, on connection: any DatabaseConnection) async throws {
        if let interval = job.intervalSeconds {
            try await connection.execute(
                """
                UPDATE jobs SET run_at = \(.timestamp(now.addingTimeInterval(TimeInterval(interval)))), locked_by = NULL, locked_until = NULL,
                attempts = 0, last_error = NULL WHERE workspace_id = \(.uuid(job.workspaceID)) AND id = \(.uuid(job.id))
                """)
        } else {
            try await connection.execute("DELETE FROM jobs WHERE workspace_id = \(.uuid(job.workspaceID)) AND id = \(.uuid(job.id))")
        }
    }

    public static func fail(_ job: ClaimedJob, error: String, retryAt: Date, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            """
            UPDATE jobs SET run_at = \(.timestamp(retryAt)), locked_by = NULL, locked_until = NULL, last_error = \(.text(String(error.prefix(2000))))
            WHERE workspace_id = \(.uuid(job.workspaceID)) AND id = \(.uuid(job.id))
            """)
    }
}
