import CRMCore
import Foundation

/// Reads and writes records of any entity. Every method takes the access scope; writes take the
/// open transaction's connection so a service can combine them with audit and search updates.
public enum RecordStore {
    public static func insert(_ record: Record, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        try await insert([record], entity: entity, scope: scope, on: connection)
    }

    /// New records, as many per statement as the bind limit allows.
    public static func insert(_ records: [Record], entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        var columns = [
            "workspace_id", "id", "number", "owner_id", "tags", "created_at", "created_by", "updated_at", "updated_by",
            "version", "custom",
        ]
        for field in entity.builtinFields { columns += FieldColumns.columns(of: field) }
        let perStatement = max(1, 30_000 / columns.count)
        for start in stride(from: 0, to: records.count, by: perStatement) {
            var sql: SQLFragment = "INSERT INTO \(raw: entity.table) (\(raw: columns.joined(separator: ", "))) VALUES "
            let rows: [SQLFragment] = records[start..<min(records.count, start + perStatement)].map { record in
                var values: [SQLValue] = [
                    .uuid(scope.workspaceID), .uuid(record.id), .text(record.number), .optional(record.ownerID),
                    tagsValue(record.tags), .timestamp(record.createdAt), .optional(record.createdBy), .timestamp(record.updatedAt),
                    .optional(record.updatedBy), .int(record.version), .json(customDocument(record, entity: entity)),
                ]
                for field in entity.builtinFields { values += FieldColumns.sqlValues(record.values[field.name] ?? .null, field: field) }
                return "(" + SQLFragment.joined(values.map { "\($0)" }, separator: ", ") + ")"
            }
            sql.append(SQLFragment.joined(rows, separator: ", "))
            try await connection.execute(sql)
        }
    }

    /// Writes the new state of a record whose version the caller read inside this transaction.
    /// Returns false when the row changed meanwhile (the version no longer matches).
    public static func update(
        _ record: Record, previousVersion: Int64, entity: EntityDefinition, scope: AccessScope,
        on connection: any DatabaseConnection
    ) async throws -> Bool {
        var assignments: [SQLFragment] = [
            "owner_id = \(.optional(record.ownerID))", "tags = \(tagsValue(record.tags))",
            "updated_at = \(.timestamp(record.updatedAt))", "updated_by = \(.optional(record.updatedBy))",
            "version = \(.int(record.version))", "custom = \(.json(customDocument(record, entity: entity)))",
        ]
        for field in entity.builtinFields {
            for (column, value) in zip(
                FieldColumns.columns(of: field), FieldColumns.sqlValues(record.values[field.name] ?? .null, field: field))
            {
                assignments.append("\(raw: column) = \(value)")
            }
        }
        var sql: SQLFragment = "UPDATE \(raw: entity.table) SET "
        sql.append(SQLFragment.joined(assignments, separator: ", "))
        sql.append(
            " WHERE \(RecordQueryCompiler.tenantCondition(scope: scope)) AND id = \(.uuid(record.id)) AND version = \(.int(previousVersion)) AND deleted_at IS NULL RETURNING id"
        )
        return try await !connection.query(sql).isEmpty
    }

    /// One record by id; `forUpdate` locks the row until the transaction ends (PostgreSQL).
    public static func fetch(
        id: UUID, entity: EntityDefinition, scope: AccessScope, access: RecordAccess, includeDeleted: Bool = false,
        forUpdate: Bool = false, on connection: any DatabaseConnection
    ) async throws -> Record? {
        var sql: SQLFragment =
            "SELECT * FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.condition(scope: scope, entity: entity, access: access)) AND id = \(.uuid(id))"
        if !includeDeleted { sql.append(" AND deleted_at IS NULL") }
        if forUpdate, connection.dialect == .postgres { sql.append(" FOR UPDATE") }
        return try await connection.first(sql).map { decode($0, entity: entity) }
    }

    /// One live record's API form as JSON bytes, written straight from its row (what a list page
    /// writes for it), and its version; nil when there is none.
    public static func fetchJSON(
        id: UUID, entity: EntityDefinition, visible: EntityDefinition, scope: AccessScope, access: RecordAccess,
        on connection: any DatabaseConnection
    ) async throws -> (json: [UInt8], version: Int64)? {
        guard
            let row = try await connection.first(
                "SELECT * FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.condition(scope: scope, entity: entity, access: access)) AND id = \(.uuid(id)) AND deleted_at IS NULL"
            )
        else { return nil }
        let layout = RecordRowLayout(columns: row.columns, entity: visible)
        var output: [UInt8] = []
        output.reserveCapacity(2048)
        RecordRowJSON(layout: layout).write(row, to: &output)
        return (output, row.value(at: layout.version).intValue ?? 1)
    }

    /// Live records by id, in one statement (order not kept; ids not found are left out).
    /// `columns` (column names of the entity's table) reads only those: the records hold only
    /// their fields.
    public static func fetch(
        ids: [UUID], entity: EntityDefinition, columns: [String]? = nil, scope: AccessScope, access: RecordAccess,
        on connection: any DatabaseConnection
    )
        async throws -> [Record]
    {
        guard !ids.isEmpty else { return [] }
        let list = columns.map { $0.map { connection.dialect.quote($0) }.joined(separator: ", ") } ?? "*"
        var sql: SQLFragment =
            "SELECT \(raw: list) FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.condition(scope: scope, entity: entity, access: access)) AND deleted_at IS NULL AND id IN ("
        sql.append(SQLFragment.joined(ids.map { "\(.uuid($0))" }, separator: ", "))
        sql.append(")")
        return decode(try await connection.query(sql), entity: entity)
    }

    /// Whether a live record exists (reference checks).
    public static func exists(
        id: UUID, entity: EntityDefinition, scope: AccessScope, access: RecordAccess, on connection: any DatabaseConnection
    )
        async throws -> Bool
    {
        try await connection.first(
            "SELECT 1 AS found FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.condition(scope: scope, entity: entity, access: access)) AND id = \(.uuid(id)) AND deleted_at IS NULL"
        ) != nil
    }

    public static func markDeleted(
        id: UUID, entity: EntityDefinition, scope: AccessScope, at date: Date, on connection: any DatabaseConnection
    ) async throws -> Bool {
        try await !connection.query(
            "UPDATE \(raw: entity.table) SET deleted_at = \(.timestamp(date)), deleted_by = \(.optional(scope.userID)), version = version + 1 WHERE \(RecordQueryCompiler.tenantCondition(scope: scope)) AND id = \(.uuid(id)) AND deleted_at IS NULL RETURNING id"
        ).isEmpty
    }

    public static func restore(id: UUID, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> Bool
    {
        try await !connection.query(
            "UPDATE \(raw: entity.table) SET deleted_at = NULL, deleted_by = NULL, version = version + 1 WHERE \(RecordQueryCompiler.tenantCondition(scope: scope)) AND id = \(.uuid(id)) AND deleted_at IS NOT NULL RETURNING id"
        ).isEmpty
    }

    /// A page of records and the cursor of the next page (nil on the last page).
    public static func list(
        query: ListQuery, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> (records: [Record], nextCursor: String?) {
        let (rows, query) = try await pageRows(query, entity: entity, scope: scope, on: connection)
        let records = decode(rows.prefix(query.limit), entity: entity)
        return (records, rows.count > query.limit ? records.last.map { cursor(after: $0, query: query) } : nil)
    }

    /// A page as JSON text (the records' API form, comma-separated) and the next page's cursor.
    /// `visible` is the entity as the caller sees it (hidden fields left out): what is written.
    public static func listJSON(
        query: ListQuery, entity: EntityDefinition, visible: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> (json: [UInt8], count: Int, nextCursor: String?) {
        let (rows, query) = try await pageRows(query, entity: entity, scope: scope, on: connection)
        guard let first = rows.first else { return ([], 0, nil) }
        let layout = RecordRowLayout(columns: first.columns, entity: visible)
        let writer = RecordRowJSON(layout: layout)
        let page = rows.prefix(query.limit)
        var output: [UInt8] = []
        output.reserveCapacity(2048 * page.count)
        for (offset, row) in page.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            writer.write(row, to: &output)
        }
        let next = rows.count > query.limit ? page.last.map { cursor(after: layout.decode($0), query: query) } : nil
        return (output, page.count, next)
    }

    /// The rows of a page (one more than the limit when more follow) and the query that read
    /// them. When a text filter names too many candidates to read and the list's order is an
    /// index's, the page first walks that order over a window of `walkWindow` rows (read from
    /// the sort index, then each row by its key); a filter whose matches are common meets a page of
    /// them there. When it does not — the matches are rarer than they seemed, or they gather
    /// at the other end of the order (a Cyrillic first name sorted by surnames where Latin ones
    /// come first) — the page reads the filter's candidates instead, however many: that costs
    /// what the matches cost, where the walk's cost has no bound.
    static func pageRows(_ query: ListQuery, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> (rows: [SQLRow], query: ListQuery)
    {
        let (query, fallback) = try await planned(query, entity: entity, scope: scope, on: connection)
        func rows(_ query: ListQuery) async throws -> [SQLRow] {
            try await connection.query(RecordQueryCompiler.page(scope: scope, entity: entity, query: query, dialect: connection.dialect))
        }
        guard let fallback else { return (try await rows(query), query) }
        var bounded = query
        bounded.window = TextFilterIndex.walkWindow(limit: query.limit)
        let walked = try await rows(bounded)
        if walked.count > query.limit { return (walked, query) }
        // The window met `walked.count` matches: walking on costs about that many windows more
        // per missing match (none met: the matches lie elsewhere in the order, and the
        // candidates win when they are few).
        let window = Double(TextFilterIndex.walkWindow(limit: query.limit))
        let walkOn = walked.isEmpty ? Double.infinity : Double(query.limit + 1 - walked.count) / Double(walked.count) * window
        // Counted no further than the most that would still be worth reading (a candidate of
        // the ranges costs about two walked rows, one of the trigram index about six: four
        // look-ups to reach its row, and its share of the sort).
        let perCandidate: Double = fallback.candidateRanges != nil ? 2 : 6
        let cap = Int(min(Double(TextFilterIndex.fallbackCandidates), (walkOn / perCandidate).rounded(.down)))
        if cap > 0, try await candidateCount(fallback, entity: entity, scope: scope, cap: cap, on: connection) <= cap {
            return (try await rows(fallback), fallback)
        }
        return (try await rows(query), query)
    }

    /// How many records a narrowed query's candidates name, counting at most `cap + 1` (index
    /// entries of its ranges, or what the trigram index names; no rows read).
    static func candidateCount(
        _ query: ListQuery, entity: EntityDefinition, scope: AccessScope, cap: Int, on connection: any DatabaseConnection
    ) async throws -> Int {
        if let ranges = query.candidateRanges {
            let counts = ranges.ranges.map { range -> SQLFragment in
                let scan = RecordQueryCompiler.rangeScan(
                    select: "1", table: entity.table, index: ranges.index, column: ranges.column, range: range, scope: scope,
                    dialect: connection.dialect)
                return "(SELECT COUNT(*) FROM (" + scan + " LIMIT \(raw: String(cap + 1))) AS entries)"
            }
            return try await connection.first("SELECT " + SQLFragment.joined(counts, separator: " + ") + " AS n")?.int("n").map { Int($0) }
                ?? 0
        }
        if let pattern = query.candidatePattern {
            return try await connection.first(
                "SELECT COUNT(*) AS n FROM \(raw: TextFilterIndex.lookUpFunction(of: entity))(\(.text(pattern)), \(.int(Int64(cap + 1))))"
            )?.int("n").map { Int($0) } ?? 0
        }
        guard let match = query.candidateMatch else { return 0 }
        // Counted in the full-text table alone (no join): a common prefix stops here cheaply.
        return try await connection.first(
            "SELECT COUNT(*) AS n FROM (SELECT rowid FROM text_fts WHERE text_fts MATCH \(.text(match)) LIMIT \(raw: String(cap + 1)))"
        )?.int("n").map { Int($0) } ?? 0
    }

    /// The query a count reads: narrowed as a page would be, ranges as candidates (a count has
    /// no order to keep).
    static func narrowedForCounting(
        _ query: ListQuery, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> ListQuery {
        var query = try await planned(query, entity: entity, scope: scope, on: connection).query
        query.candidateRanges?.ordered = false
        return query
    }

    /// Picks how a page with `starts` / `contains` filters reads its rows (decision 0011).
    ///
    /// - A `starts` filter on a built-in field that has a sort index of its own becomes ranges of
    ///   that index (`TextFilterIndex.startsRanges`). When the list is sorted by that field the
    ///   page reads the ranges in order (`IndexRanges.ordered`): bounded work, whatever the data.
    /// - Otherwise each filter counts its candidates, up to a limit (`TextFilterIndex
    ///   .candidateLimit`, which grows with the table, on SQLite; `postgresCandidates`): index
    ///   entries in the ranges, or what the trigram index names (SQLite's `text_fts`, PostgreSQL's
    ///   look-up function) for custom fields, fields without a sort index, and `contains`. The
    ///   filter naming the fewest, if few enough, narrows the page to those records, which are
    ///   read by id and sorted.
    /// When every filter names too many, `fallback` is the query narrowed by one of them (ranges
    /// rather than trigrams: their candidates cost less), for `pageRows`' bounded walk — when
    /// the list's order is an index's; otherwise the page reads the table in that order anyway.
    static func planned(_ query: ListQuery, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> (query: ListQuery, fallback: ListQuery?)
    {
        guard !query.deleted, query.candidateMatch == nil, query.candidatePattern == nil, query.candidateRanges == nil else {
            return (query, nil)
        }
        let dialect = connection.dialect
        var best: (query: ListQuery, count: Int)?
        var common: ListQuery?
        var sortIndexed = true
        var limit: Int?
        let sortedByBuiltins = query.sort.allSatisfy { !$0.field.isCustom }
        let trigramColumns = TextFilterIndex.columns(of: entity)
        for condition in query.conditions where condition.op == .starts || condition.op == .contains {
            guard TextFold.isIndexed(condition.field.type), let text = condition.values.first?.plainText else { continue }
            if limit == nil {
                // A sort order no index serves is no walk but a sort of every match: reading the
                // candidates is cheaper however many there are, up to a bound on one page's work.
                sortIndexed = try await isSortServedByIndex(query, entity: entity, on: connection)
                // (PostgreSQL's trigram look-up rechecks every row it names: past a few thousand
                // it costs what the scan costs, so its limit stays.)
                limit =
                    sortIndexed || dialect == .postgres
                    ? try await TextFilterIndex.candidateLimit(table: entity.table, on: connection) : TextFilterIndex.unsortedCandidates
            }
            let cap = min(limit ?? TextFilterIndex.minimumCandidates, best?.count ?? .max)
            var candidates = query
            if condition.op == .starts, !condition.field.isCustom,
                let index = try await TextFilterIndex.sortIndex(table: entity.table, column: condition.field.name, on: connection),
                let spelled = try await TextFilterIndex.startsRanges(
                    prefix: text, column: condition.field.name, index: index, table: entity.table, scope: scope, on: connection)
            {
                // No spelling of the prefix occurs: one empty range (nothing matches).
                candidates.candidateRanges = IndexRanges(
                    column: condition.field.name, index: index, ranges: spelled.isEmpty ? [.init(lower: "", upper: "")] : spelled,
                    ordered: false)
                if query.sort.first?.field.name == condition.field.name, sortedByBuiltins {
                    candidates.candidateRanges?.ordered = true
                    return (candidates, nil)
                }
            } else if dialect == .sqlite {
                guard
                    let match = condition.op == .starts
                        ? TextFold.startsQuery(field: condition.field.name, prefix: text) : TextFold.containsQuery(text)
                else { continue }
                candidates.candidateMatch = match
            } else {
                // PostgreSQL's trigram index: three characters or more, as a substring (a prefix
                // is one too; the exact comparison decides).
                guard condition.field.isCustom || trigramColumns.contains(condition.field.name), TextFold.isPlainForPostgres(text),
                    TextFold.fold(text).count >= 3
                else { continue }
                candidates.candidatePattern = "%" + RecordQueryCompiler.likeEscaped(TextFold.fold(text)) + "%"
            }
            let count = try await candidateCount(candidates, entity: entity, scope: scope, cap: cap, on: connection)
            if count <= cap {
                best = (candidates, count)
            } else if candidates.candidateRanges != nil ? common?.candidateRanges == nil : common == nil && dialect == .sqlite {
                // Ranges' candidates cost less to read than the trigram index's (on PostgreSQL,
                // tens of thousands of those cost what the walk does).
                common = candidates
            }
        }
        if let best { return (best.query, nil) }
        guard let common, sortIndexed else { return (query, nil) }
        return (query, common)
    }

    /// Whether an index hands out the page's rows in its order (the first sort key: a
    /// built-in field with its own sort index, the creation or change time, the number; no
    /// sort is the primary key's order).
    static func isSortServedByIndex(_ query: ListQuery, entity: EntityDefinition, on connection: any DatabaseConnection) async throws
        -> Bool
    {
        guard let first = query.sort.first else { return true }
        if first.field.isCustom { return false }
        if ["created_at", "updated_at", "number"].contains(first.field.name) { return true }
        return try await TextFilterIndex.sortIndex(table: entity.table, column: first.field.name, on: connection) != nil
    }

    /// Where the page after `record` starts: its sort values and id.
    static func cursor(after record: Record, query: ListQuery) -> String {
        CursorCoding.encode(values: query.sort.map { record.value(of: $0.field.name) }, id: record.id)
    }

    public static func count(query: ListQuery, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> Int
    {
        let query = try await narrowedForCounting(query, entity: entity, scope: scope, on: connection)
        let row = try await connection.first(
            RecordQueryCompiler.count(scope: scope, entity: entity, query: query, dialect: connection.dialect))
        return Int(row?.int("total") ?? 0)
    }

    /// How many matching records hold each value of a text or choice field (nil: empty).
    public static func counts(
        by field: FieldDefinition, query: ListQuery, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> [String?: Int] {
        let query = try await narrowedForCounting(query, entity: entity, scope: scope, on: connection)
        var counts: [String?: Int] = [:]
        for row in try await connection.query(
            RecordQueryCompiler.groupedCount(by: field, scope: scope, entity: entity, query: query, dialect: connection.dialect))
        {
            counts[row.string("grouped_value"), default: 0] += Int(row.int("total") ?? 0)
        }
        return counts
    }

    /// Permanently removes records trashed before `cutoff`; returns their ids.
    public static func purge(entity: EntityDefinition, scope: AccessScope, before cutoff: Date, on connection: any DatabaseConnection)
        async throws -> [UUID]
    {
        try await connection.query(
            "DELETE FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.tenantCondition(scope: scope)) AND deleted_at IS NOT NULL AND deleted_at < \(.timestamp(cutoff)) RETURNING id"
        ).compactMap { $0.uuid("id") }
    }

    /// Reserves the next per-workspace number of an entity (`C-000042`).
    public static func nextNumber(entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection) async throws
        -> String
    {
        try await nextNumbers(1, entity: entity, scope: scope, on: connection)[0]
    }

    /// Reserves `count` consecutive numbers of an entity in one statement.
    public static func nextNumbers(_ count: Int, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> [String]
    {
        guard count > 0 else { return [] }
        let row = try await connection.first(
            """
            INSERT INTO record_sequences (workspace_id, entity, last_value) VALUES (\(.uuid(scope.workspaceID)), \(.text(entity.name)), \(.int(Int64(count))))
            ON CONFLICT (workspace_id, entity) DO UPDATE SET last_value = record_sequences.last_value + \(.int(Int64(count))) RETURNING last_value
            """)
        let last = row?.int("last_value") ?? Int64(count)
        return (last - Int64(count) + 1...last).map { formatNumber($0, entity: entity) }
    }

    static func formatNumber(_ value: Int64, entity: EntityDefinition) -> String {
        let digits = String(value)
        return entity.numberPrefix + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    static func tagsValue(_ tags: [String]) -> SQLValue {
        tags.isEmpty ? .null : .json(JSONValue.array(tags.map { .string($0) }).serializedString())
    }

    static func customDocument(_ record: Record, entity: EntityDefinition) -> String {
        var object = JSONObject()
        for field in entity.customFields {
            let value = record.values[field.name] ?? .null
            if !value.isNull { object[field.name] = FieldColumns.customJSON(value) }
        }
        return JSONValue.object(object).serializedString()
    }

    static func decode(_ row: SQLRow, entity: EntityDefinition) -> Record {
        RecordRowLayout(columns: row.columns, entity: entity).decode(row)
    }

    static func decode(_ rows: some Collection<SQLRow>, entity: EntityDefinition) -> [Record] {
        guard let first = rows.first else { return [] }
        let layout = RecordRowLayout(columns: first.columns, entity: entity)
        return rows.map(layout.decode)
    }
}

/// Column positions of a record result, resolved once per query instead of once per cell.
struct RecordRowLayout {
    let entity: EntityDefinition
    /// Only what decoding needs of each built-in field: copying whole definitions per row cost
    /// more than the decoding itself.
    struct Column {
        let name: String
        let type: FieldType
        let position: Int?
        let currency: Int?
    }

    let fields: [Column]
    let customFields: [FieldDefinition]
    let id, number, owner, tags, createdAt, createdBy, updatedAt, updatedBy, version, deletedAt, custom: Int?

    init(columns: SQLColumns, entity: EntityDefinition) {
        self.entity = entity
        fields = entity.builtinFields.map { field in
            Column(
                name: field.name, type: field.type, position: columns.position(of: field.name),
                currency: field.type == .money ? columns.position(of: field.name + "_currency") : nil)
        }
        customFields = entity.customFields
        id = columns.position(of: "id")
        number = columns.position(of: "number")
        owner = columns.position(of: "owner_id")
        tags = columns.position(of: "tags")
        createdAt = columns.position(of: "created_at")
        createdBy = columns.position(of: "created_by")
        updatedAt = columns.position(of: "updated_at")
        updatedBy = columns.position(of: "updated_by")
        version = columns.position(of: "version")
        deletedAt = columns.position(of: "deleted_at")
        custom = columns.position(of: "custom")
    }

    func decode(_ row: SQLRow) -> Record {
        var values: [String: FieldValue] = [:]
        values.reserveCapacity(fields.count)
        for column in fields {
            let value = FieldColumns.value(
                row.value(at: column.position), currency: row.value(at: column.currency), type: column.type, name: column.name)
            if !value.isNull { values[column.name] = value }
        }
        if !customFields.isEmpty, let text = row.value(at: custom).stringValue, case .object(let document)? = try? JSONValue.parse(text) {
            for field in customFields {
                if let json = document[field.name] {
                    let value = FieldColumns.customValue(json, field: field)
                    if !value.isNull { values[field.name] = value }
                }
            }
        }
        var tagList: [String] = []
        if let text = row.value(at: tags).stringValue, case .array(let items)? = try? JSONValue.parse(text) {
            tagList = items.compactMap(\.stringValue)
        }
        return Record(
            entity: entity.name, id: row.value(at: id).uuidValue ?? UUID(), number: row.value(at: number).stringValue ?? "",
            ownerID: row.value(at: owner).uuidValue, tags: tagList,
            createdAt: row.value(at: createdAt).dateValue ?? Date(timeIntervalSince1970: 0), createdBy: row.value(at: createdBy).uuidValue,
            updatedAt: row.value(at: updatedAt).dateValue ?? Date(timeIntervalSince1970: 0), updatedBy: row.value(at: updatedBy).uuidValue,
            version: row.value(at: version).intValue ?? 1, deletedAt: row.value(at: deletedAt).dateValue, values: values)
    }
}

extension RecordStore {
    /// Ids of live records a user owns (the oldest first, at most `limit`): bulk hand-overs.
    public static func owned(
        by owner: UUID, entity: EntityDefinition, limit: Int, scope: AccessScope, on connection: any DatabaseConnection
    )
        async throws -> [UUID]
    {
        try await connection.query(
            "SELECT id FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.tenantCondition(scope: scope)) AND owner_id = \(.uuid(owner)) AND deleted_at IS NULL ORDER BY id LIMIT \(raw: String(limit))"
        ).compactMap { $0.uuid("id") }
    }

    /// Records in the trash, most recently deleted first.
    public static func trashed(
        entity: EntityDefinition, scope: AccessScope, access: RecordAccess, limit: Int, on connection: any DatabaseConnection
    )
        async throws -> [Record]
    {
        decode(
            try await connection.query(
                "SELECT * FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.condition(scope: scope, entity: entity, access: access)) AND deleted_at IS NOT NULL ORDER BY deleted_at DESC, id DESC LIMIT \(raw: String(limit))"
            ), entity: entity)
    }
}

extension RecordStore {
    /// Ids of live records whose built-in reference `column` holds `id` (newest first, at most `limit`).
    public static func ids(
        entity: EntityDefinition, column: String, equals id: UUID, limit: Int, scope: AccessScope, access: RecordAccess,
        on connection: any DatabaseConnection
    ) async throws -> [UUID] {
        guard let field = entity.field(named: column), !field.isCustom, field.type == .reference || field.type == .uuid else { return [] }
        return try await connection.query(
            "SELECT id FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.condition(scope: scope, entity: entity, access: access)) AND \(raw: field.name) = \(.uuid(id)) AND deleted_at IS NULL ORDER BY id DESC LIMIT \(raw: String(limit))"
        ).compactMap { $0.uuid("id") }
    }
}
