import Foundation

/// One filter condition of a list query, already checked against the field's type.
public struct FilterCondition: Sendable, Hashable {
    public var field: FieldDefinition
    public var op: FilterOperator
    /// Empty for `empty` / `not_empty`; one value for comparisons; several for `in` / `nin`.
    public var values: [FieldValue]
    /// For `empty` / `not_empty`: whether the operator was asked for (`field[empty]=false` flips it).
    public var flag: Bool

    public init(field: FieldDefinition, op: FilterOperator, values: [FieldValue], flag: Bool = true) {
        self.field = field
        self.op = op
        self.values = values
        self.flag = flag
    }
}

public struct SortKey: Sendable, Hashable {
    public var field: FieldDefinition
    public var descending: Bool

    public init(field: FieldDefinition, descending: Bool) {
        self.field = field
        self.descending = descending
    }
}

/// A list request: filters, order, page. The order always ends with the record id, so keyset
/// pagination is total; NULL counts as the smallest value in both databases.
public struct ListQuery: Sendable, Hashable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500
    /// Filters one request may combine (each becomes bound values in one statement; thousands
    /// reached a driver limit and answered 500).
    public static let maximumConditions = 50

    public var conditions: [FilterCondition] = []
    public var sort: [SortKey] = []
    public var limit: Int = ListQuery.defaultLimit
    /// The sort values and the id of the last row of the previous page.
    public var after: Cursor?
    public var search: String?
    public var includeCount = false
    /// The fields the caller will read (a page shows a few columns): when set, only these, the
    /// standard fields and the sort fields are read from storage; nil reads every field.
    public var fields: Set<String>?
    /// Show only records in the trash instead of live ones.
    public var deleted = false
    /// SQLite: when set, the page reads only the records the text filter index matches for this
    /// FTS5 expression, instead of walking its sort order (a narrowing, never a widening: every
    /// condition still applies). Set by the storage layer (`RecordStore.planned`).
    public var candidateMatch: String?
    /// PostgreSQL: when set, the page reads only the records whose indexed text is `LIKE` this
    /// pattern, as the table's look-up function names them (`TextFilterIndex.lookUpFunction`);
    /// again a narrowing only. Set by `RecordStore.planned`.
    public var candidatePattern: String?
    /// A `starts` filter on a built-in field with a sort index of its own, as ranges of
    /// that index (`TextFilterIndex.startsRanges`). `ordered` when the list is sorted by the same
    /// field: the page reads each range in index order and merges them; otherwise the ranges name
    /// the candidates. A narrowing only. Set by `RecordStore.planned`.
    public var candidateRanges: IndexRanges?
    /// Read only this many rows of the list's order (a bounded walk of the sort order;
    /// see `RecordStore.pageRows`). Set by the storage layer.
    public var window: Int?

    public init() {}

    /// Direction of the final id tie-breaker: that of the last sort key.
    public var idDescending: Bool { sort.last?.descending ?? true }
}

/// Ranges of one column's values read from one index (see `ListQuery.candidateRanges`).
public struct IndexRanges: Sendable, Hashable {
    public struct Range: Sendable, Hashable {
        public var lower: String
        public var upper: String
        public init(lower: String, upper: String) {
            self.lower = lower
            self.upper = upper
        }
    }
    public var column: String
    public var index: String
    public var ranges: [Range]
    public var ordered: Bool
    public init(column: String, index: String, ranges: [Range], ordered: Bool) {
        self.column = column
        self.index = index
        self.ranges = ranges
        self.ordered = ordered
    }
}

/// The position after which the next page starts.
public struct Cursor: Sendable, Hashable {
    public var values: [FieldValue]
    public var id: UUID

    public init(values: [FieldValue], id: UUID) {
        self.values = values
        self.id = id
    }
}
