import CRMCore
import CRMStorage
import Foundation

/// Saved list views: a person saves the list's filters, sort and columns under a name, for
/// themselves or shared with the workspace. The query is checked against the entity as its
/// author sees it; a reader whose profile hides a field it names gets the usual refusal when the
/// list runs (the list parses it against what they see).
public struct SavedViewService: Sendable {
    let database: any Database
    let records: RecordService
    static let maximumQuery = 4_000

    public init(database: any Database, records: RecordService) {
        self.database = database
        self.records = records
    }

    public func views(entity pluralName: String, scope: AccessScope) async throws -> [SavedView] {
        guard let userID = scope.userID else { return [] }
        _ = try await records.visibleEntity(pluralName, scope: scope)
        return try await database.read(workspace: scope.workspaceID) { connection in
            try await SavedViewStore.list(entity: pluralName, userID: userID, scope: scope, on: connection)
        }
    }

    /// Saves `query` (list parameters as pairs) under `name`.
    public func save(
        name: String, query: [(String, String)], shared: Bool, entity pluralName: String, scope: AccessScope
    ) async throws -> SavedView {
        guard let userID = scope.userID else { throw CRMError.unauthenticated("a person saves views") }
        guard !scope.readOnly else { throw CRMError.forbidden("this token is read-only") }
        let entity = try await records.visibleEntity(pluralName, scope: scope)
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        var issues: [ValidationIssue] = []
        if trimmed.isEmpty || trimmed.count > 100 {
            issues.append(ValidationIssue(field: "name", code: "required", message: "name is required (at most 100 characters)"))
        }
        let kept = query.filter { !["cursor", "limit", "count"].contains($0.0) }
        let listItems = kept.filter { !["columns", "view"].contains($0.0) }
        if case .failure(.validation(let found)) = ListQueryParser.parse(listItems, for: entity) {
            issues += found.map { ValidationIssue(field: "query.\($0.field)", code: $0.code, message: $0.message) }
        }
        let text = kept.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        if text.count > Self.maximumQuery {
            issues.append(ValidationIssue(field: "query", code: "too_long", message: "the view's query is too long"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let view = SavedView(
            id: UUIDv7.make(), userID: userID, entity: pluralName, name: trimmed, query: text, shared: shared, createdAt: Date())
        try await database.write(workspace: scope.workspaceID) { connection in
            try await SavedViewStore.insert(view, scope: scope, on: connection)
        }
        return view
    }

    /// Deletes a view: its owner may, and administrators may delete shared ones.
    public func delete(id: UUID, scope: AccessScope) async throws {
        try await database.write(workspace: scope.workspaceID) { connection in
            guard let view = try await SavedViewStore.find(id: id, scope: scope, on: connection),
                view.userID == scope.userID || view.shared
            else { throw CRMError.notFound("no saved view \(id.lowercased)") }
            guard view.userID == scope.userID || scope.isAdmin else {
                throw CRMError.forbidden("only its author or an administrator deletes a view")
            }
            try await SavedViewStore.delete(id: id, scope: scope, on: connection)
        }
    }

    /// Percent-encoding for a query string (unreserved characters kept).
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
