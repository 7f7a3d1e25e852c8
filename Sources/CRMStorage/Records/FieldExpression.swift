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
        // Custom names match [a-z][a-z0-9_]*, checked when the field was defined.
        let key = field.name
        switch dialect {
        case .sqlite:
            sql = field.type == .money ? "json_extract(custom, '$.\(key).micros')" : "json_extract(custom, '$.\(key)')"
        case .postgres:
            switch field.type {
            case .integer, .decimal, .percent: sql = "((custom->>'\(key)')::bigint)"
            case .money: sql = "((custom->'\(key)'->>'micros')::bigint)"
            case .boolean: sql = "((custom->>'\(key)')::boolean)"
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
