import CRMCore
import CRMStorage
import Foundation

/// Creates workspaces and what each needs from the start (its scheduled jobs).
public struct WorkspaceService: Sendable {
    let database: any Database

    public init(database: any Database) { self.database = database }

    public func create(slug: String, name: String) async throws -> Workspace {
        var issues: [ValidationIssue] = []
        if slug.isEmpty || slug.count > 50 || !slug.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            issues.append(ValidationIssue(field: "slug", code: "format", message: "slug must be 1-50 characters of a-z, 0-9 and -"))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(ValidationIssue(field: "name", code: "required", message: "name is required"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        do {
            let workspace = try await database.write(workspace: nil) { connection in
                try await WorkspaceStore.create(slug: slug, name: name, on: connection)
            }
            try await scheduleJobs(for: workspace.id)
            return workspace
        } catch StorageError.uniqueViolation {
            throw CRMError.conflict(code: "workspace_exists", message: "a workspace with slug \(slug) already exists")
        }
    }

    /// The workspace a slug names (the default one when nil).
    public func find(slug: String?) async throws -> Workspace {
        let slug = slug ?? WorkspaceStore.defaultSlug
        let workspace = try await database.read(workspace: nil) { connection in try await WorkspaceStore.find(slug: slug, on: connection) }
        guard let workspace else { throw CRMError.notFound("no workspace with slug \(slug)") }
        return workspace
    }

    /// Makes sure the default workspace exists (first start of a box).
    @discardableResult
    public func ensureDefault() async throws -> Workspace {
        if let existing = try? await find(slug: nil) { return existing }
        do {
            return try await create(slug: WorkspaceStore.defaultSlug, name: "Clientele")
        } catch CRMError.conflict {
            return try await find(slug: nil)
        }
    }

    func scheduleJobs(for workspaceID: UUID) async throws {
        try await database.write(workspace: nil) { connection in
            try await JobStore.ensureRecurring(
                workspaceID: workspaceID, kind: TrashPurgeJob.kind, key: TrashPurgeJob.kind, every: 3600, firstRun: Timestamps.now(),
                on: connection)
            try await JobStore.ensureRecurring(
                workspaceID: workspaceID, kind: ActivitySeriesJob.kind, key: ActivitySeriesJob.kind, every: 86_400,
                firstRun: Timestamps.now(), on: connection)
            try await JobStore.ensureRecurring(
                workspaceID: workspaceID, kind: ReminderJob.kind, key: ReminderJob.kind, every: 60, firstRun: Timestamps.now(),
                on: connection)
        }
    }
}
