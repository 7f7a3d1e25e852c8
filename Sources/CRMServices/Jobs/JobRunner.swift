import CRMCore
import CRMStorage
import Foundation
import Logging

/// Polls the job table and runs due jobs. Any number of instances may run one: a job is
/// claimed with a lease in the database, so each run happens on one instance only.
public struct JobRunner: Sendable {
    let database: any Database
    let metadata: MetadataService
    let worker: String
    let logger: Logger
    public static let lease: TimeInterval = 300

    public init(database: any Database, metadata: MetadataService, logger: Logger) {
        self.database = database
        self.metadata = metadata
        self.worker = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
        self.logger = logger
    }

    /// Runs due jobs until none is left; returns how many ran.
    @discardableResult
    public func runDue(now: Date = Timestamps.now()) async throws -> Int {
        var ran = 0
        while let job = try await database.write(
            workspace: nil,
            { connection in
                try await JobStore.claim(worker: worker, lease: Self.lease, now: now, on: connection)
            })
        {
            do {
                try await execute(job, now: now)
                try await database.write(workspace: nil) { connection in try await JobStore.complete(job, now: now, on: connection) }
            } catch {
                logger.error("job failed", metadata: ["kind": "\(job.kind)", "error": "\(error)"])
                try await database.write(workspace: nil) { connection in
                    try await JobStore.fail(job, error: "\(error)", retryAt: now.addingTimeInterval(600), on: connection)
                }
            }
            ran += 1
        }
        return ran
    }

    func execute(_ job: ClaimedJob, now: Date) async throws {
        switch job.kind {
        case TrashPurgeJob.kind:
            let purged = try await TrashPurgeJob(database: database).run(workspaceID: job.workspaceID, now: now)
            if purged > 0 { logger.info("purged trash", metadata: ["count": "\(purged)"]) }
        case SearchReindexJob.kind:
            let indexed = try await SearchReindexJob(database: database, metadata: metadata).run(workspaceID: job.workspaceID)
            logger.info("rebuilt the search index", metadata: ["records": "\(indexed)"])
        case ReminderJob.kind:
            try await ReminderJob(database: database).run(workspaceID: job.workspaceID, now: now)
        case ActivitySeriesJob.kind:
            let records = RecordService(database: database, metadata: metadata)
            let created = try await ActivitySeriesJob(records: records).run(workspaceID: job.workspaceID, now: now)
            if created > 0 { logger.info("extended repeating activities", metadata: ["created": "\(created)"]) }
        default:
            logger.warning("unknown job kind", metadata: ["kind": "\(job.kind)"])
        }
    }

    /// The loop a server runs until cancelled or until `shouldStop` says so (checked every second).
    public func run(every interval: Duration = .seconds(30), shouldStop: @Sendable () -> Bool = { false }) async {
        while !Task.isCancelled && !shouldStop() {
            do {
                try await runDue()
            } catch {
                logger.error("job runner error", metadata: ["error": "\(error)"])
            }
            var waited = Duration.zero
            while waited < interval && !Task.isCancelled && !shouldStop() {
                try? await Task.sleep(for: .seconds(1))
                waited += .seconds(1)
            }
        }
    }
}
