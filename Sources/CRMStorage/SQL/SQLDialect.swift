/// What differs between the two databases, in one place.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    func placeholder(_ position: Int, for value: SQLValue) -> String {
        switch self {
        case .sqlite: return "?"
        case .postgres:
            switch value {
            case .json: return "$\(position)::jsonb"
            case .day: return "$\(position)::date"
            default: return "$\(position)"
            }
        }
    }

    /// Quotes an identifier. Identifiers only ever come from definitions whose names were checked
    /// against `[a-z][a-z0-9_]*`, so this is a second wall, not the first.
    public func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public var uuidType: String { self == .sqlite ? "TEXT" : "uuid" }
    public var timestampType: String { self == .sqlite ? "TEXT" : "timestamptz" }
    public var jsonType: String { self == .sqlite ? "TEXT" : "jsonb" }
    public var boolType: String { self == .sqlite ? "INTEGER" : "boolean" }
    public var bigintType: String { self == .sqlite ? "INTEGER" : "bigint" }
    public var dateType: String { self == .sqlite ? "TEXT" : "date" }
    public var doubleType: String { self == .sqlite ? "REAL" : "double precision" }
    public var emptyJSONObject: String { self == .sqlite ? "'{}'" : "'{}'::jsonb" }
    public var emptyJSONArray: String { self == .sqlite ? "'[]'" : "'[]'::jsonb" }
}
