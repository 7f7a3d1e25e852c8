import CRMCore

/// The SQL expression that reads a field, for filters and sorting.
struct FieldExpression {
    let sql: String
    let field: FieldDefinition
    let dialect: SQLDialect

    init(_ field: FieldDefinition, dialect: SQLDialect) {
        self.field = field
        self.dialect = dialect
        guard field.isCustom else {
            sql = dialect.quote(field.name)
            return
        }
        // Custom names are `c_[a-z][a-z0-9_]*`, checked when the field was defined and when its
        // definition was read back (`CustomFieldStore.all`); doubling quotes is a second wall.
        let key = field.name.replacingOccurrences(of: "'", with: "''")
        // Numbers and flags read only values stored with their type, NULL otherwise: a field
        // deleted and defined again with another type leaves the old type's values in records.
        // PostgreSQL would fail the cast (and every list filtered or sorted on the field); SQLite
        // would compare an old text with a number as the greater.
        func typed(_ test: String, _ value: String) -> String { "(CASE WHEN \(test) THEN \(value) END)" }
        let numeric = [FieldType.integer, .decimal, .percent, .money].contains(field.type)
        switch dialect {
        case .sqlite:
            let path = field.type == .money ? "'$.\(key).micros'" : "'$.\(key)'"
            let value = "json_extract(custom, \(path))"
            if numeric {
                sql = typed("json_type(custom, \(path)) = 'integer'", value)
            } else if field.type == .boolean {
                sql = typed("json_type(custom, \(path)) IN ('true', 'false')", value)
            } else {
                sql = value
            }
        case .postgres:
            let text = field.type == .money ? "(custom->'\(key)'->>'micros')" : "(custom->>'\(key)')"
            switch field.type {
            case _ where numeric: sql = typed("\(text) ~ '^-?[0-9]{1,18}$'", "\(text)::bigint")
            case .boolean: sql = typed("jsonb_typeof(custom->'\(key)') = 'boolean'", "\(text)::boolean")
            case .multiChoice, .tags, .address, .recurrence: sql = "(custom->'\(key)')"
            default: sql = text
            }
        }
    }

    /// Whether the column can hold NULL (decides how keyset pagination compares).
    var isNullable: Bool { !["id", "number", "created_at", "updated_at", "version"].contains(field.name) }

    /// A filter value bound for comparison with this expression.
    func bind(_ value: FieldValue) -> SQLValue {
        if field.isCustom { return FieldColumns.customComparable(value) }
        if case .money(let money) = value { return .int(money.micros) }
        return FieldColumns.sqlValue(value)
    }

    /// Text of the expression folded to lower case, for `contains` / `starts`.
    var folded: String {
        switch (dialect, field.type) {
        case (.sqlite, _): "crm_fold(\(sql))"
        case (.postgres, .address): "crm_fold((\(sql))::text)"
        case (.postgres, _): "crm_fold(\(sql))"
        }
    }

    /// True when the list held in this expression contains `item`.
    func listContains(_ item: String) -> SQLFragment {
        switch dialect {
        case .sqlite:
            return "EXISTS (SELECT 1 FROM json_each(\(raw: sql)) WHERE value = \(.text(item)))"
        case .postgres:
            return "(\(raw: sql) @> \(.json(JSONValue.array([.string(item)]).serializedString())))"
        }
    }
}
