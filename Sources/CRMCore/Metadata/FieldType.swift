/// The kinds of value a field can hold. Every switch over this enum is exhaustive, so adding a
/// type is a compile error in every place (validation, storage, filters, OpenAPI) that must
/// learn about it.
public enum FieldType: String, Sendable, Hashable, Codable, CaseIterable {
    case text
    case longText = "long_text"
    case email
    case phone
    case url
    case integer
    case decimal
    case money
    case percent
    case boolean
    case date
    case datetime
    case choice
    case multiChoice = "multi_choice"
    case reference
    case user
    case tags
    case address
    case uuid
    /// A repeat rule of tasks and meetings (`RepeatRule`).
    case recurrence

    /// Types only built-in fields use; custom fields cannot be defined with them.
    public static let builtinOnly: Set<FieldType> = [.uuid, .recurrence]

    /// Filter operators a list query may use on a field of this type.
    public var filterOperators: [FilterOperator] {
        switch self {
        case .text, .longText, .email, .phone, .url:
            [.eq, .ne, .in, .nin, .contains, .starts, .empty, .notEmpty, .lt, .lte, .gt, .gte]
        case .integer, .decimal, .money, .percent, .date, .datetime:
            [.eq, .ne, .lt, .lte, .gt, .gte, .in, .nin, .empty, .notEmpty]
        case .boolean:
            [.eq, .ne, .empty, .notEmpty]
        case .choice, .reference, .user, .uuid:
            [.eq, .ne, .in, .nin, .empty, .notEmpty]
        case .multiChoice, .tags:
            [.eq, .in, .nin, .contains, .empty, .notEmpty]
        case .address:
            [.contains, .empty, .notEmpty]
        case .recurrence:
            [.empty, .notEmpty]
        }
    }

    /// Whether list queries may sort by a field of this type.
    public var isSortable: Bool {
        switch self {
        case .text, .email, .phone, .url, .integer, .decimal, .money, .percent, .boolean, .date, .datetime, .choice,
            .reference, .user, .uuid:
            true
        case .longText, .multiChoice, .tags, .address, .recurrence:
            false
        }
    }

    /// Types whose values are kept as scaled integers (millionths) so they stay exact and sortable.
    public var isScaledDecimal: Bool {
        switch self {
        case .decimal, .money, .percent: true
        default: false
        }
    }
}

/// Operators of the list filter syntax `field[op]=value`.
public enum FilterOperator: String, Sendable, Hashable, CaseIterable, Codable {
    case eq, ne, lt, lte, gt, gte
    case `in`, nin
    case contains, starts
    case empty
    case notEmpty = "not_empty"
}
