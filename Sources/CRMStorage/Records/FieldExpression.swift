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
        switch dialect {
        case .sqlite:
            // As on PostgreSQL below: numbers and flags read only values of their type (SQLite
            // would not fail, but would compare an old text value with a number as greater).
            switch field.type {
            case .integer, .decimal, .percent:
                sql = "(CASE WHEN json_type(custom, '$.\(key)') = 'integer' THEN json_extract(custom, '$.\(key)') END)"
            case .money:
                sql = "(CASE WHEN json_type(custom, '$.\(key).micros') = 'integer' THEN json_extract(custom, '$.\(key).micros') END)"
            case .boolean:
                sql = "(CASE WHEN json_type(custom, '$.\(key)') IN ('true', 'false') THEN json_extract(custom, '$.\(key)') END)"
            default: sql = "json_extract(custom, '$.\(key)')"
            }
        case .postgres:
            // Casts only what has the type's form: a field deleted and defined again with another
            // type leaves old values of the old type in records, and a failing cast would fail
            // every list filtered or sorted on the field (they read as NULL instead).
            let integer = "'^-?[0-9]{1,18}$'"
            switch field.type {
            case .integer, .decimal, .percent:
                sql = "(CASE WHEN (custom->>'\(key)') ~ \(integer) THEN (custom->>'\(key)')::bigint END)"
            case .money:
                sql = "(CASE WHEN (custom->'\(key)'->>'micros') ~ \(integer) THEN (custom->'\(key)'->>'micros')::bigint END)"
            case .boolean:
                sql = "(CASE WHEN jsonb_typeof(custom->'\(key)') = 'boolean' THEN (custom->>'\(key)')::boolean END)"
            case .multiChoice, .tags, .address, .recurrence: sql = "(custom->'\(key)')"
            default: sql = "(custom->>'\(key)')"
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
