/// The sales core: new fields of leads, contacts, companies, deals and notes; activities and bank
/// accounts; pipelines with their stages and the deals' stage history; links between records
/// (a contact's companies, a deal's contacts with roles, meeting participants); follows and
/// notifications; merges (kept for undo); per-workspace option lists; audit rows that moved to a
/// merge survivor. Search documents gain name skeleton terms, so every workspace is reindexed.
enum Migration0005SalesCore {
    static let migration = Migration(version: 5, name: "sales core") { dialect in
        let uuid = dialect.uuidType
        let time = dialect.timestampType
        let json = dialect.jsonType
        let bigint = dialect.bigintType
        let bool = dialect.boolType
        let nulls = dialect == .postgres ? " NULLS FIRST" : ""
        var statements: [String] = []
        let added: [(String, [(String, ColumnKind)])] = [
            (
                "leads",
                [
                    ("email_other", .text), ("junk_reason", .text), ("converted_at", .timestamp), ("converted_contact_id", .uuid),
                    ("converted_company_id", .uuid), ("converted_deal_id", .uuid),
                ]
            ),
            (
                "contacts",
                [
                    ("type", .text), ("assistant", .text), ("assistant_phone", .text), ("reports_to_id", .uuid), ("telegram", .text),
                    ("whatsapp", .text), ("vk", .text), ("linkedin", .text), ("photo_url", .text), ("lead_id", .uuid),
                ]
            ),
            (
                "companies",
                [("phone_other", .text), ("email_other", .text), ("telegram", .text), ("vk", .text), ("lead_id", .uuid)]
            ),
            (
                "deals",
                [
                    ("pipeline_id", .uuid), ("loss_reason", .text), ("closed_on", .date), ("stage_entered_at", .timestamp),
                    ("lead_id", .uuid),
                ]
            ),
            ("notes", [("kind", .text)]),
            ("audit_log", [("merged_into", .uuid)]),
        ]
        for (table, columns) in added {
            for (column, kind) in columns {
                statements.append("ALTER TABLE \(table) ADD COLUMN \(column) \(kind.sql(dialect))")
            }
        }
        statements += [
            "CREATE INDEX leads_owner_status ON leads (workspace_id, owner_id, status) WHERE deleted_at IS NULL",
            "CREATE INDEX deals_pipeline_stage ON deals (workspace_id, pipeline_id, stage, created_at, id) WHERE deleted_at IS NULL",
            "CREATE INDEX deals_contact ON deals (workspace_id, contact_id) WHERE deleted_at IS NULL",
            "CREATE INDEX deals_owner_stage ON deals (workspace_id, owner_id, stage) WHERE deleted_at IS NULL",
            "CREATE INDEX companies_parent ON companies (workspace_id, parent_id) WHERE deleted_at IS NULL",
            "CREATE INDEX audit_log_merged ON audit_log (workspace_id, entity, merged_into) WHERE merged_into IS NOT NULL",
        ]
        statements += Schema.recordTable(
            "activities",
            columns: [
                ("type", .text), ("subject", .text), ("description", .text), ("status", .text), ("priority", .text),
                ("due_at", .timestamp), ("start_at", .timestamp), ("end_at", .timestamp), ("all_day", .bool), ("reminder_at", .timestamp),
                ("parent_type", .text), ("parent_id", .uuid), ("direction", .text), ("outcome", .text), ("duration_seconds", .bigint),
                ("phone", .text), ("recording_url", .text), ("location", .text), ("repeat", .json), ("series_id", .uuid),
                ("completed_at", .timestamp), ("reminded_at", .timestamp),
            ], dialect)
        statements += [
            "CREATE INDEX activities_parent ON activities (workspace_id, parent_id, created_at, id) WHERE deleted_at IS NULL",
            "CREATE INDEX activities_open ON activities (workspace_id, owner_id, status, due_at) WHERE deleted_at IS NULL",
            "CREATE INDEX activities_series ON activities (workspace_id, series_id, start_at) WHERE series_id IS NOT NULL",
            "CREATE INDEX activities_reminders ON activities (workspace_id, reminder_at) WHERE reminded_at IS NULL AND reminder_at IS NOT NULL",
            Schema.sortIndex("activities", "due_at", dialect),
        ]
        statements += Schema.recordTable(
            "bank_accounts",
            columns: [
                ("company_id", .uuid), ("bank_name", .text), ("account_number", .text), ("bik", .text),
                ("correspondent_account", .text), ("swift", .text), ("iban", .text), ("currency", .text), ("is_primary", .bool),
                ("description", .text),
            ], dialect)
        statements.append(
            "CREATE INDEX bank_accounts_company ON bank_accounts (workspace_id, company_id\(nulls), id) WHERE deleted_at IS NULL")
        let isDefault = dialect == .postgres ? "is_default" : "is_default = 1"
        statements += [
            """
            CREATE TABLE pipelines (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, name \(json) NOT NULL,
              position \(bigint) NOT NULL, is_default \(bool) NOT NULL, created_at \(time) NOT NULL, updated_at \(time) NOT NULL,
              PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX pipelines_default ON pipelines (workspace_id) WHERE \(isDefault)",
            """
            CREATE TABLE pipeline_stages (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, pipeline_id \(uuid) NOT NULL,
              key TEXT NOT NULL, name \(json) NOT NULL, position \(bigint) NOT NULL, probability \(bigint) NOT NULL,
              kind TEXT NOT NULL, PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX pipeline_stages_key ON pipeline_stages (workspace_id, key)",
            "CREATE INDEX pipeline_stages_pipeline ON pipeline_stages (workspace_id, pipeline_id, position)",
            """
            CREATE TABLE deal_stage_history (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, deal_id \(uuid) NOT NULL,
              pipeline_id \(uuid) NOT NULL, stage TEXT NOT NULL, entered_at \(time) NOT NULL, left_at \(time),
              entered_by \(uuid), PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX deal_stage_history_deal ON deal_stage_history (workspace_id, deal_id, entered_at)",
            "CREATE INDEX deal_stage_history_pipeline ON deal_stage_history (workspace_id, pipeline_id, stage)",
            """
            CREATE TABLE record_links (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, kind TEXT NOT NULL,
              from_id \(uuid) NOT NULL, to_entity TEXT NOT NULL, to_id \(uuid) NOT NULL, role TEXT, title TEXT,
              is_primary \(bool) NOT NULL DEFAULT \(dialect == .sqlite ? "0" : "false"), created_at \(time) NOT NULL,
              created_by \(uuid), PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX record_links_pair ON record_links (workspace_id, kind, from_id, to_id)",
            "CREATE INDEX record_links_to ON record_links (workspace_id, kind, to_id)",
            """
            CREATE TABLE follows (workspace_id \(uuid) NOT NULL, entity TEXT NOT NULL, record_id \(uuid) NOT NULL,
              user_id \(uuid) NOT NULL, created_at \(time) NOT NULL, PRIMARY KEY (workspace_id, entity, record_id, user_id))
            """,
            "CREATE INDEX follows_user ON follows (workspace_id, user_id, created_at)",
            """
            CREATE TABLE notifications (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, user_id \(uuid) NOT NULL,
              kind TEXT NOT NULL, entity TEXT NOT NULL, record_id \(uuid) NOT NULL, title TEXT NOT NULL,
              details \(json) NOT NULL, actor_id \(uuid), created_at \(time) NOT NULL, read_at \(time),
              PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX notifications_user ON notifications (workspace_id, user_id, id)",
            """
            CREATE TABLE merges (workspace_id \(uuid) NOT NULL, id \(uuid) NOT NULL, entity TEXT NOT NULL,
              survivor_id \(uuid) NOT NULL, merged_ids \(json) NOT NULL, survivor_before \(json) NOT NULL,
              moved \(json) NOT NULL, created_at \(time) NOT NULL, created_by \(uuid), undone_at \(time),
              PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX merges_survivor ON merges (workspace_id, entity, survivor_id)",
            """
            CREATE TABLE field_options (workspace_id \(uuid) NOT NULL, entity TEXT NOT NULL, field TEXT NOT NULL,
              options \(json) NOT NULL, updated_at \(time) NOT NULL, PRIMARY KEY (workspace_id, entity, field))
            """,
        ]
        for table in [
            "pipelines", "pipeline_stages", "deal_stage_history", "record_links", "follows", "notifications", "merges", "field_options",
        ] {
            statements += Schema.tenantPolicy(table, dialect)
        }
        statements.append(Schema.reindexAllWorkspaces(key: "search.reindex.5", dialect))
        statements.append(Schema.scheduleForAllWorkspaces(kind: "activities.extend", every: 86_400, dialect))
        statements.append(Schema.scheduleForAllWorkspaces(kind: "activities.remind", every: 60, dialect))
        return statements
    }
}
