/// A contact's record page lists the people who report to them: `reports_to_id` gets the index
/// its related list needs (without it, every contact page scanned the workspace's contacts).
enum Migration0014ReportsToIndex {
    static let migration = Migration(version: 14, name: "reports-to index") { _ in
        ["CREATE INDEX contacts_reports_to ON contacts (workspace_id, reports_to_id) WHERE deleted_at IS NULL"]
    }
}
