import CRMCore
import Foundation

/// Turns a `ListQuery` into SQL with bound values. The access scope is a required argument:
/// no list query can be built without the workspace condition and the caller's access rule.
public enum RecordQueryCompiler {
    /// The page query: filters, keyset position, order, limit + 1 (to know whether more follow).
    public static func page(
        scope: AccessScope, entity: EntityDefinition, query: ListQuery, dialect: SQLDialect
    ) -> SQLFragment {
        var where_ = conditions(scope: scope, entity: entity, query: query, dialect: dialect)
        if let cursor = query.after {
            where_.append(keyset(after: cursor, query: query, dialect: dialect))
        }
        let order = orderBy(query, dialect: dialect)
        if let ranged = query.candidateRanges, ranged.ordered {
            return orderedRanges(ranged, entity: entity, query: query, conditions: where_, order: order, dialect: dialect)
        }
        var sql: SQLFragment = "SELECT \(raw: selectList(entity: entity, query: query)) FROM "
        sql.append(source(scope: scope, entity: entity, query: query, dialect: dialect))
        sql.append(" WHERE ")
        sql.append(SQLFragment.joined(where_, separator: " AND "))
        sql.append(raw: " ORDER BY \(order) LIMIT \(query.limit + 1)")
        return sql
    }

    /// SQLite's index hint (`INDEXED BY`); PostgreSQL's planner takes no hints.
    static func indexedBy(_ index: String, _ dialect: SQLDialect) -> String {
        dialect == .sqlite ? " INDEXED BY \(index)" : ""
    }

    /// The candidates of `query.candidateRanges` (PostgreSQL) or `query.window` (both): the ids
    /// in the ranges of the field's sort index, or the first ids of the list's order.
    static func candidateIDs(scope: AccessScope, entity: EntityDefinition, query: ListQuery, dialect: SQLDialect) -> SQLFragment? {
        if let window = query.window {
            var inner: [SQLFragment] = [tenantCondition(scope: scope), "deleted_at IS NULL"]
            if let cursor = query.after { inner.append(keyset(after: cursor, query: query, dialect: dialect)) }
            var sql: SQLFragment = "SELECT \(raw: dialect == .sqlite ? "rowid" : "id") AS candidate_key FROM \(raw: entity.table) WHERE "
            sql.append(SQLFragment.joined(inner, separator: " AND "))
            sql.append(raw: " ORDER BY \(orderBy(query, dialect: dialect)) LIMIT \(window)")
            return sql
        }
        guard let ranged = query.candidateRanges else { return nil }
        // Disjoint ranges: no id twice.
        let arms = ranged.ranges.map { range in
            rangeScan(
                select: dialect == .sqlite ? "rowid AS candidate_key" : "id AS candidate_key", table: entity.table, index: ranged.index,
                column: ranged.column, range: range, scope: scope, dialect: dialect)
        }
        return SQLFragment.joined(arms, separator: " UNION ALL ")
    }

    /// The live rows of the workspace whose `column` lies in `range`, read from the column's sort
    /// index (`select` names what each gives).
    static func rangeScan(
        select: String, table: String, index: String, column: String, range: IndexRanges.Range, scope: AccessScope, dialect: SQLDialect
    ) -> SQLFragment {
        "SELECT \(raw: select) FROM \(raw: table)\(raw: indexedBy(index, dialect)) WHERE \(tenantCondition(scope: scope)) AND deleted_at IS NULL AND "
            + rangeCondition(column: column, range: range, dialect: dialect)
    }

    /// `column` within `range` (from its lower bound, up to and without its upper one).
    static func rangeCondition(column: String, range: IndexRanges.Range, dialect: SQLDialect) -> SQLFragment {
        let quoted = dialect.quote(column)
        return "\(raw: quoted) >= \(.text(range.lower)) AND \(raw: quoted) < \(.text(range.upper))"
    }

    /// The list's order: its sort keys, then the id.
    static func orderBy(_ query: ListQuery, dialect: SQLDialect) -> String {
        var order: [String] = query.sort.map { key in
            FieldExpression(key.field, dialect: dialect).sql + direction(descending: key.descending, dialect: dialect)
        }
        order.append("id" + (query.idDescending ? " DESC" : " ASC"))
        return order.joined(separator: ", ")
    }

    /// A page sorted by the field a `starts` filter narrows to ranges of its index. Each range is
    /// read in the index's order up to a page's worth of rows, and the ranges' rows are merged:
    /// the work is the page and whatever non-matching values the ranges hold, whatever the
    /// table's size. The outer order names the result's columns (every sort key is a built-in
    /// column, which `RecordStore.planned` checks).
    static func orderedRanges(
        _ ranged: IndexRanges, entity: EntityDefinition, query: ListQuery, conditions: [SQLFragment], order: String, dialect: SQLDialect
    ) -> SQLFragment {
        let arms: [SQLFragment] = ranged.ranges.map { range in
            var arm: SQLFragment =
                "SELECT \(raw: selectList(entity: entity, query: query)) FROM \(raw: entity.table)\(raw: indexedBy(ranged.index, dialect)) WHERE "
            arm.append(
                SQLFragment.joined(conditions + [rangeCondition(column: ranged.column, range: range, dialect: dialect)], separator: " AND ")
            )
            arm.append(raw: " ORDER BY \(order) LIMIT \(query.limit + 1)")
            return arm
        }
        if arms.count == 1 { return arms[0] }
        let wrapped = arms.enumerated().map { offset, arm in "SELECT * FROM (" + arm + ") AS arm\(raw: String(offset))" }
        var sql = SQLFragment.joined(wrapped, separator: " UNION ALL ")
        sql.append(raw: " ORDER BY \(order) LIMIT \(query.limit + 1)")
        return sql
    }

    /// The columns a page reads: all of them, or (with `query.fields`) the standard columns, the
    /// asked-for and sort fields' columns, and the custom document when a custom field is asked.
    static func selectList(entity: EntityDefinition, query: ListQuery) -> String {
        guard var wanted = query.fields else { return "\(entity.table).*" }
        for key in query.sort { wanted.insert(key.field.name) }
        var columns = ["id", "number", "owner_id", "tags", "created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at"]
        var custom = false
        for field in entity.fields where wanted.contains(field.name) {
            if field.isCustom { custom = true } else { columns += FieldColumns.columns(of: field) }
        }
        if custom { columns.append("custom") }
        return columns.map { "\(entity.table).\($0)" }.joined(separator: ", ")
    }

    /// Counts of the matching records per value of one field (`GROUP BY`), the list's
    /// conditions applied.
    public static func groupedCount(
        by field: FieldDefinition, scope: AccessScope, entity: EntityDefinition, query: ListQuery, dialect: SQLDialect
    ) -> SQLFragment {
        let expression = FieldExpression(field, dialect: dialect).sql
        var sql: SQLFragment = "SELECT \(raw: expression) AS grouped_value, COUNT(*) AS total FROM "
        sql.append(source(scope: scope, entity: entity, query: query, dialect: dialect))
        sql.append(" WHERE ")
        sql.append(SQLFragment.joined(conditions(scope: scope, entity: entity, query: query, dialect: dialect), separator: " AND "))
        sql.append(raw: " GROUP BY \(expression)")
        return sql
    }

    /// The total for `count=true`: the same conditions without the page position.
    public static func count(
        scope: AccessScope, entity: EntityDefinition, query: ListQuery, dialect: SQLDialect
    ) -> SQLFragment {
        var sql: SQLFragment = "SELECT COUNT(*) AS total FROM "
        sql.append(source(scope: scope, entity: entity, query: query, dialect: dialect))
        sql.append(" WHERE ")
        sql.append(SQLFragment.joined(conditions(scope: scope, entity: entity, query: query, dialect: dialect), separator: " AND "))
        return sql
    }

    /// What a page reads from: the entity's table, or (SQLite) its candidates joined to it — the
    /// rowids of `candidateIDs` (ranges, a window), or the records the trigram index names for
    /// `candidateMatch`, each found by its id. `CROSS JOIN` keeps SQLite from walking the sort
    /// order and probing the candidates instead; the conditions and the order still name the
    /// table's columns unqualified (the candidates have only their key).
    static func source(scope: AccessScope, entity: EntityDefinition, query: ListQuery, dialect: SQLDialect) -> SQLFragment {
        // SQLite: the candidates' rowids first, each row then found by its rowid (PostgreSQL:
        // an `id IN` condition, `conditions`).
        if dialect == .sqlite, let ids = candidateIDs(scope: scope, entity: entity, query: query, dialect: dialect) {
            return "(" + ids + ") AS candidates CROSS JOIN \(raw: entity.table) ON \(raw: entity.table).rowid = candidates.candidate_key"
        }
        guard let match = query.candidateMatch else { return "\(raw: entity.table)" }
        return """
            (SELECT d.record_id AS candidate_id FROM text_fts JOIN search_documents d ON d.doc_id = text_fts.rowid
              WHERE text_fts MATCH \(.text(match)) AND d.workspace_id = \(.uuid(scope.workspaceID))
              AND d.entity = \(.text(entity.pluralName))) AS candidates
            CROSS JOIN \(raw: entity.table) ON \(raw: entity.table).workspace_id = \(.uuid(scope.workspaceID))
              AND \(raw: entity.table).id = candidates.candidate_id
            """
    }

    /// The tenant condition: the rows of the caller's workspace. Integrity checks use it alone
    /// (references, merges re-pointing, rules that must see every row).
    public static func tenantCondition(scope: AccessScope) -> SQLFragment {
        "workspace_id = \(.uuid(scope.workspaceID))"
    }

    /// The condition a read or write of records takes: the tenant condition, and for
    /// `.visible(action)` also what the caller may do (decision 0008).
    public static func condition(scope: AccessScope, entity: EntityDefinition, access: RecordAccess) -> SQLFragment {
        let tenant = tenantCondition(scope: scope)
        guard case .visible(let action) = access,
            let visibility = visibilityCondition(scope: scope, entity: entity, action: action, table: entity.table)
        else { return tenant }
        return tenant + " AND " + visibility
    }

    /// The visibility condition of an action, nil when it reaches every row of the workspace.
    /// Owners that the caller's scopes reach (resolved with the grants: own, teammates,
    /// subordinates, sharing rules) are one bound IN list that the owner index serves; a record
    /// shared with the caller or their teams is found by one probe of the record's shares
    /// (`record_shares_record`: workspace, entity, record, grantee), not by building the list of
    /// every shared id for each statement (measured: decision 0008). Shares open reading and
    /// editing only, and only where the profile gives the action at all; following a record, or
    /// taking part in a meeting, opens it for reading (probes of their primary keys).
    public static func visibilityCondition(scope: AccessScope, entity: EntityDefinition, action: AccessAction, table: String)
        -> SQLFragment?
    {
        guard let grants = scope.grants, let owners = grants.owners(entity.pluralName, action) else { return nil }
        if owners.isEmpty { return "1 = 0" }
        let workspace = SQLValue.uuid(scope.workspaceID)
        var sql: SQLFragment = "(\(raw: table).owner_id IN ("
        sql.append(SQLFragment.joined(owners.sorted().map { "\(.uuid($0))" }, separator: ", "))
        sql.append(")")
        if action == .read || action == .edit {
            sql.append(
                " OR EXISTS (SELECT 1 FROM record_shares rs WHERE rs.workspace_id = \(workspace) AND rs.entity = \(.text(entity.pluralName)) AND rs.record_id = \(raw: table).id AND rs.grantee_id IN ("
            )
            sql.append(SQLFragment.joined(([grants.userID] + grants.teamIDs).map { "\(.uuid($0))" }, separator: ", "))
            sql.append(")")
            if action == .edit { sql.append(" AND rs.access = 'edit'") }
            sql.append(")")
        }
        if action == .read {
            sql.append(
                " OR EXISTS (SELECT 1 FROM follows rf WHERE rf.workspace_id = \(workspace) AND rf.entity = \(.text(entity.pluralName)) AND rf.record_id = \(raw: table).id AND rf.user_id = \(.uuid(grants.userID)))"
            )
            if entity.name == "activity" {
                sql.append(
                    " OR EXISTS (SELECT 1 FROM record_links rl WHERE rl.workspace_id = \(workspace) AND rl.kind = \(.text(RelationKind.participant.rawValue)) AND rl.from_id = \(raw: table).id AND rl.to_id = \(.uuid(grants.userID)))"
                )
            }
        }
        sql.append(")")
        return sql
    }

    /// Which rows of a table that names records by entity and id (search documents, history)
    /// the caller may read: per entity, none, all, or those whose record passes the entity's
    /// visibility condition (one primary-key probe per row; trashed records count as theirs).
    /// nil when the caller sees everything.
    public static func recordRowsVisibility(
        scope: AccessScope, entities: [EntityDefinition], entityColumn: String, idColumn: String
    ) -> SQLFragment? {
        guard scope.grants != nil else { return nil }
        var parts: [SQLFragment] = []
        for entity in entities where scope.may(.read, on: entity.pluralName) {
            if let condition = visibilityCondition(scope: scope, entity: entity, action: .read, table: "t") {
                parts.append(
                    """
                    (\(raw: entityColumn) = \(.text(entity.pluralName)) AND EXISTS (SELECT 1 FROM \(raw: entity.table) t
                    WHERE t.workspace_id = \(.uuid(scope.workspaceID)) AND t.id = \(raw: idColumn) AND \(condition)))
                    """)
            } else {
                parts.append("\(raw: entityColumn) = \(.text(entity.pluralName))")
            }
        }
        return parts.isEmpty ? "1 = 0" : "(" + SQLFragment.joined(parts, separator: " OR ") + ")"
    }

    static func direction(descending: Bool, dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: descending ? " DESC" : " ASC"
        case .postgres: descending ? " DESC NULLS LAST" : " ASC NULLS FIRST"
        }
    }

    static func conditions(scope: AccessScope, entity: EntityDefinition, query: ListQuery, dialect: SQLDialect) -> [SQLFragment] {
        var result: [SQLFragment] = [condition(scope: scope, entity: entity, access: .visible(.read))]
        result.append(query.deleted ? "deleted_at IS NOT NULL" : "deleted_at IS NULL")
        for condition in query.conditions {
            result.append(compile(condition, dialect: dialect))
        }
        if dialect == .postgres, let ids = candidateIDs(scope: scope, entity: entity, query: query, dialect: dialect) {
            result.append("id IN (" + ids + ")")
        }
        if dialect == .postgres, let pattern = query.candidatePattern {
            result.append(
                "id IN (SELECT \(raw: TextFilterIndex.lookUpFunction(of: entity))(\(.text(pattern)), \(.int(Int64(TextFilterIndex.mostCandidates + 1)))))"
            )
        }
        if let search = query.search {
            result.append(SearchIndexStore.matchCondition(scope: scope, entity: entity, text: search, dialect: dialect))
        }
        return result
    }

    static func compile(_ condition: FilterCondition, dialect: SQLDialect) -> SQLFragment {
        let expression = FieldExpression(condition.field, dialect: dialect)
        let column = expression.sql
        let isList = condition.field.type == .tags || condition.field.type == .multiChoice
        switch condition.op {
        case .empty, .notEmpty:
            let wantsEmpty = (condition.op == .empty) == condition.flag
            return wantsEmpty ? "\(raw: column) IS NULL" : "\(raw: column) IS NOT NULL"
        case .eq where isList, .contains where isList:
            return expression.listContains(condition.values.first?.plainText ?? "")
        case .in where isList:
            let parts = condition.values.map { expression.listContains($0.plainText ?? "") }
            return "(" + SQLFragment.joined(parts, separator: " OR ") + ")"
        case .nin where isList:
            let parts = condition.values.map { expression.listContains($0.plainText ?? "") }
            return "(\(raw: column) IS NULL OR NOT (" + SQLFragment.joined(parts, separator: " OR ") + "))"
        case .eq: return "\(raw: column) = \(expression.bind(condition.values[0]))"
        case .ne: return "(\(raw: column) <> \(expression.bind(condition.values[0])) OR \(raw: column) IS NULL)"
        case .lt: return "\(raw: column) < \(expression.bind(condition.values[0]))"
        case .lte: return "\(raw: column) <= \(expression.bind(condition.values[0]))"
        case .gt: return "\(raw: column) > \(expression.bind(condition.values[0]))"
        case .gte: return "\(raw: column) >= \(expression.bind(condition.values[0]))"
        case .in, .nin:
            let list = SQLFragment.joined(condition.values.map { "\(expression.bind($0))" }, separator: ", ")
            if condition.op == .in { return "\(raw: column) IN (" + list + ")" }
            return "(\(raw: column) NOT IN (" + list + ") OR \(raw: column) IS NULL)"
        case .contains, .starts:
            let text = TextFold.fold(condition.values.first?.plainText ?? "")
            let pattern = condition.op == .contains ? "%\(likeEscaped(text))%" : "\(likeEscaped(text))%"
            let exact: SQLFragment = "\(raw: expression.folded) LIKE \(.text(pattern)) ESCAPE '\\'"
            // SQLite: a value that starts with the prefix starts with one of its first letter's
            // spellings; comparing that first (in C) spares most rows the folding function.
            if dialect == .sqlite, condition.op == .starts, condition.field.type != .address,
                let spellings = TextFold.firstLetterSpellings(text)
            {
                let list = SQLFragment.joined(spellings.map { "\(SQLValue.text($0))" }, separator: ", ")
                return "(substr(\(raw: column), 1, 1) IN (" + list + ") AND " + exact + ")"
            }
            return exact
        }
    }

    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
            of: "_", with: "\\_")
    }

    /// Rows strictly after the cursor in the query's order, NULL being the smallest value.
    static func keyset(after cursor: Cursor, query: ListQuery, dialect: SQLDialect) -> SQLFragment {
        let keys = query.sort.map { (FieldExpression($0.field, dialect: dialect), $0.descending) }
        let uniform = keys.allSatisfy { $0.1 == query.idDescending }
        let noNulls =
            zip(keys, cursor.values).allSatisfy { key, value in !key.0.isNullable || !value.isNull }
            && keys.allSatisfy { !$0.0.isNullable || !$0.1 }
        if uniform, noNulls, !cursor.values.contains(where: \.isNull) {
            // One row-value comparison, which both databases answer from the (key, id) index.
            var left = keys.map(\.0.sql)
            left.append("id")
            var right = zip(keys, cursor.values).map { key, value in SQLFragment("\(key.0.bind(value))") }
            right.append("\(SQLValue.uuid(cursor.id))")
            let op = query.idDescending ? " < " : " > "
            return "(" + SQLFragment(left.joined(separator: ", ")) + ")" + SQLFragment(op) + "("
                + SQLFragment.joined(right, separator: ", ") + ")"
        }
        var alternatives: [SQLFragment] = []
        for position in 0...keys.count {
            var parts: [SQLFragment] = []
            for earlier in 0..<position {
                parts.append(equal(keys[earlier].0, cursor.values[earlier]))
            }
            if position < keys.count {
                let after = self.after(keys[position].0, cursor.values[position], descending: keys[position].1)
                guard let after else { continue }
                parts.append(after)
            } else {
                parts.append(query.idDescending ? "id < \(SQLValue.uuid(cursor.id))" : "id > \(SQLValue.uuid(cursor.id))")
            }
            alternatives.append("(" + SQLFragment.joined(parts, separator: " AND ") + ")")
        }
        return "(" + SQLFragment.joined(alternatives, separator: " OR ") + ")"
    }

    static func equal(_ expression: FieldExpression, _ value: FieldValue) -> SQLFragment {
        value.isNull ? "\(raw: expression.sql) IS NULL" : "\(raw: expression.sql) = \(expression.bind(value))"
    }

    /// `expression` comes after `value` in its direction; nil when nothing can.
    static func after(_ expression: FieldExpression, _ value: FieldValue, descending: Bool) -> SQLFragment? {
        let column = expression.sql
        if value.isNull { return descending ? nil : "\(raw: column) IS NOT NULL" }
        if descending { return "(\(raw: column) < \(expression.bind(value)) OR \(raw: column) IS NULL)" }
        return "\(raw: column) > \(expression.bind(value))"
    }
}
