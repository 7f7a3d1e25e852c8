import CRMCore
import Foundation

/// Relative periods on date and time fields — "this month", "last quarter" — written in a list
/// URL as `created_at[period]=this_month` and turned into a `[gte]`/`[lt]` pair when the list
/// runs, in the person's time zone (a saved view keeps meaning "this month" next month). Weeks
/// start on Monday.
enum PeriodFilter {
    static let names = [
        "today", "yesterday", "this_week", "last_week", "this_month", "last_month", "this_quarter", "last_quarter", "this_year",
        "last_year",
    ]

    /// The period's first moment and the first moment after it.
    static func range(_ name: String, now: Date, timeZone: TimeZone) -> (start: Date, end: Date)? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        func start(of component: Calendar.Component, _ date: Date) -> Date? { calendar.dateInterval(of: component, for: date)?.start }
        func add(_ component: Calendar.Component, _ value: Int, _ date: Date) -> Date? {
            calendar.date(byAdding: component, value: value, to: date)
        }
        let today = calendar.startOfDay(for: now)
        switch name {
        case "today": return add(.day, 1, today).map { (today, $0) }
        case "yesterday": return add(.day, -1, today).map { ($0, today) }
        case "this_week", "last_week":
            guard let week = start(of: .weekOfYear, now), let from = add(.weekOfYear, name == "this_week" ? 0 : -1, week),
                let to = add(.weekOfYear, 1, from)
            else { return nil }
            return (from, to)
        case "this_month", "last_month":
            guard let month = start(of: .month, now), let from = add(.month, name == "this_month" ? 0 : -1, month),
                let to = add(.month, 1, from)
            else { return nil }
            return (from, to)
        case "this_quarter", "last_quarter":
            guard let month = start(of: .month, now) else { return nil }
            let monthNumber = calendar.component(.month, from: month)
            guard let quarter = add(.month, -((monthNumber - 1) % 3), month),
                let from = add(.month, name == "this_quarter" ? 0 : -3, quarter),
                let to = add(.month, 3, from)
            else { return nil }
            return (from, to)
        case "this_year", "last_year":
            guard let year = start(of: .year, now), let from = add(.year, name == "this_year" ? 0 : -1, year), let to = add(.year, 1, from)
            else { return nil }
            return (from, to)
        default: return nil
        }
    }

    /// List parameters with every `field[period]=name` of a date or time field replaced by its
    /// range; anything else (an unknown period, another type) is left for the parser to refuse.
    static func expand(_ items: [(String, String)], entity: EntityDefinition, format: LocaleFormat, now: Date = Date()) -> [(
        String, String
    )] {
        items.flatMap { key, value -> [(String, String)] in
            guard key.hasSuffix("[period]") else { return [(key, value)] }
            let name = String(key.dropLast("[period]".count))
            guard let field = entity.field(named: name), field.type == .date || field.type == .datetime,
                let range = range(value, now: now, timeZone: format.timeZone)
            else { return [(key, value)] }
            func written(_ date: Date) -> String {
                field.type == .datetime ? Timestamps.format(date) : String(format.localInput(date).prefix(10))
            }
            return [("\(name)[gte]", written(range.start)), ("\(name)[lt]", written(range.end))]
        }
    }
}
