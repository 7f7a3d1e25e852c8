import Foundation
import Testing

@testable import CRMCore

struct RepeatRuleTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!
    static let sofia = TimeZone(identifier: "Europe/Sofia")!

    /// An instant from a wall-clock time, `YYYY-MM-DD HH:MM`, in a time zone.
    static func instant(_ text: String, _ zone: TimeZone = utc) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let numbers = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0)! }
        return calendar.date(
            from: DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4]))!
    }

    /// The wall-clock time of an instant in a time zone, `YYYY-MM-DD HH:MM`.
    static func wallClock(_ date: Date, _ zone: TimeZone = utc) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!)
    }

    static func rule(_ json: JSONValue) throws -> RepeatRule {
        try RepeatRule.parse(json, field: "repeat").get()
    }

    /// Occurrences as wall-clock times in `zone`.
    static func occurrences(
        _ json: JSONValue, from start: String, _ zone: TimeZone = utc, limit: Int = 100, notAfter: String? = nil
    ) throws -> [String] {
        try rule(json).occurrences(from: instant(start, zone), timeZone: zone, limit: limit, notAfter: notAfter.map { instant($0, zone) })
            .map { wallClock($0, zone) }
    }

    /// `field:code` of each issue the parser reports.
    static func issues(_ json: JSONValue) -> [String] {
        guard case .failure(let issues) = RepeatRule.parse(json, field: "repeat") else { return [] }
        return issues.map { "\($0.field):\($0.code)" }
    }

    // MARK: - Occurrences

    @Test func dailyStartsWithStartAndCountsIt() throws {
        let days = try Self.occurrences(["frequency": "daily", "count": 3], from: "2026-01-30 09:30")
        #expect(days == ["2026-01-30 09:30", "2026-01-31 09:30", "2026-02-01 09:30"])
    }

    @Test func dailyIntervalStopsOnTheUntilDayInclusive() throws {
        let days = try Self.occurrences(["frequency": "daily", "interval": 3, "until": "2026-01-10"], from: "2026-01-01 23:59")
        #expect(days == ["2026-01-01 23:59", "2026-01-04 23:59", "2026-01-07 23:59", "2026-01-10 23:59"])
    }

    @Test func weeklyWithoutWeekdaysRepeatsTheStartsWeekday() throws {
        let days = try Self.occurrences(["frequency": "weekly", "count": 3], from: "2026-01-07 10:00")
        #expect(days == ["2026-01-07 10:00", "2026-01-14 10:00", "2026-01-21 10:00"])
    }

    @Test func weeklyEveryOtherWeekOnMondayAndThursday() throws {
        // 2026-01-07 is a Wednesday; its week's Monday has passed, so Thursday comes first.
        let json: JSONValue = ["frequency": "weekly", "interval": 2, "weekdays": ["mon", "thu"], "count": 5]
        let days = try Self.occurrences(json, from: "2026-01-07 10:00")
        #expect(days == ["2026-01-08 10:00", "2026-01-19 10:00", "2026-01-22 10:00", "2026-02-02 10:00", "2026-02-05 10:00"])
    }

    @Test func weeklyWeekdaysInAnyOrderGiveTheSameDays() throws {
        let ordered = try Self.occurrences(["frequency": "weekly", "weekdays": ["mon", "thu"], "count": 4], from: "2026-01-05 08:00")
        let reversed = try Self.occurrences(["frequency": "weekly", "weekdays": ["thu", "mon"], "count": 4], from: "2026-01-05 08:00")
        #expect(ordered == ["2026-01-05 08:00", "2026-01-08 08:00", "2026-01-12 08:00", "2026-01-15 08:00"])
        #expect(reversed == ordered)
    }

    @Test func weeksAreCountedFromTheStartsISOWeek() throws {
        // Sunday 2026-01-11 belongs to the week of Monday 2026-01-05, so "every other Monday" skips
        // 2026-01-12 and begins on 2026-01-19.
        let json: JSONValue = ["frequency": "weekly", "interval": 2, "weekdays": ["mon"], "count": 2]
        #expect(try Self.occurrences(json, from: "2026-01-11 09:00") == ["2026-01-19 09:00", "2026-02-02 09:00"])
    }

    @Test func monthlyOnThe31stUsesShortMonthsLastDayAndComesBack() throws {
        let days = try Self.occurrences(["frequency": "monthly", "count": 5], from: "2026-01-31 12:00")
        #expect(days == ["2026-01-31 12:00", "2026-02-28 12:00", "2026-03-31 12:00", "2026-04-30 12:00", "2026-05-31 12:00"])
    }

    @Test func monthlyInLeapYearEndsFebruaryOnThe29th() throws {
        let days = try Self.occurrences(["frequency": "monthly", "count": 2], from: "2024-01-30 12:00")
        #expect(days == ["2024-01-30 12:00", "2024-02-29 12:00"])
    }

    @Test func monthlyIntervalCrossesYears() throws {
        let days = try Self.occurrences(["frequency": "monthly", "interval": 3, "count": 3], from: "2026-11-15 07:45")
        #expect(days == ["2026-11-15 07:45", "2027-02-15 07:45", "2027-05-15 07:45"])
    }

    @Test func yearlyOnFebruary29thFallsOnThe28thInOrdinaryYears() throws {
        let days = try Self.occurrences(["frequency": "yearly", "count": 5], from: "2024-02-29 09:00")
        #expect(days == ["2024-02-29 09:00", "2025-02-28 09:00", "2026-02-28 09:00", "2027-02-28 09:00", "2028-02-29 09:00"])
    }

    @Test func yearlyInterval() throws {
        let days = try Self.occurrences(["frequency": "yearly", "interval": 2, "until": "2030-12-31"], from: "2026-06-01 09:00")
        #expect(days == ["2026-06-01 09:00", "2028-06-01 09:00", "2030-06-01 09:00"])
    }

    @Test func limitCapsEvenAnEndlessRule() throws {
        #expect(try Self.occurrences(["frequency": "daily", "never_ends": true], from: "2026-01-01 09:00", limit: 2).count == 2)
        #expect(try Self.occurrences(["frequency": "daily", "count": 10], from: "2026-01-01 09:00", limit: 3).count == 3)
        #expect(try Self.occurrences(["frequency": "daily", "count": 10], from: "2026-01-01 09:00", limit: 0).isEmpty)
    }

    @Test func endlessRuleRunsUntilTheLastFourDigitYear() throws {
        let days = try Self.occurrences(["frequency": "yearly", "never_ends": true], from: "9998-05-01 09:00", limit: 10)
        #expect(days == ["9998-05-01 09:00", "9999-05-01 09:00"])
    }

    @Test func notAfterIsInclusiveAndStops() throws {
        let json: JSONValue = ["frequency": "daily", "never_ends": true]
        let days = try Self.occurrences(json, from: "2026-01-01 09:00", limit: 100, notAfter: "2026-01-03 09:00")
        #expect(days == ["2026-01-01 09:00", "2026-01-02 09:00", "2026-01-03 09:00"])
        #expect(try Self.occurrences(json, from: "2026-01-01 09:00", notAfter: "2026-01-01 08:59").isEmpty)
    }

    @Test func untilBeforeStartGivesNothing() throws {
        #expect(try Self.occurrences(["frequency": "daily", "until": "2025-12-31"], from: "2026-01-01 09:00").isEmpty)
    }

    @Test func untilIsTheWholeDayInTheRulesTimeZone() throws {
        // 08:00 in Tokyo is 23:00 UTC the day before: a UTC reading of "until" would add a fourth day.
        let days = try Self.occurrences(["frequency": "daily", "until": "2026-01-03"], from: "2026-01-01 08:00", Self.tokyo)
        #expect(days == ["2026-01-01 08:00", "2026-01-02 08:00", "2026-01-03 08:00"])
    }

    @Test func timeZoneWithoutDaylightSavingKeepsTwentyFourHourSteps() throws {
        let rule = try Self.rule(["frequency": "daily", "count": 3])
        let dates = rule.occurrences(from: Self.instant("2026-03-28 10:00", Self.tokyo), timeZone: Self.tokyo, limit: 10, notAfter: nil)
        #expect(zip(dates, dates.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 86_400 })
        #expect(dates.map { Self.wallClock($0, Self.utc) } == ["2026-03-28 01:00", "2026-03-29 01:00", "2026-03-30 01:00"])
    }

    @Test func wallClockTimeSurvivesTheSpringSwitch() throws {
        // Europe/Sofia moves from UTC+2 to UTC+3 on 2026-03-29.
        let rule = try Self.rule(["frequency": "weekly", "count": 3])
        let dates = rule.occurrences(from: Self.instant("2026-03-23 10:00", Self.sofia), timeZone: Self.sofia, limit: 10, notAfter: nil)
        #expect(dates.map { Self.wallClock($0, Self.sofia) } == ["2026-03-23 10:00", "2026-03-30 10:00", "2026-04-06 10:00"])
        #expect(dates.map { Self.wallClock($0) } == ["2026-03-23 08:00", "2026-03-30 07:00", "2026-04-06 07:00"])
    }

    @Test func wallClockTimeSurvivesTheAutumnSwitch() throws {
        // Back to UTC+2 on 2026-10-25: that day is 25 hours long.
        let rule = try Self.rule(["frequency": "daily", "count": 3])
        let dates = rule.occurrences(from: Self.instant("2026-10-24 10:00", Self.sofia), timeZone: Self.sofia, limit: 10, notAfter: nil)
        #expect(dates.map { Self.wallClock($0, Self.sofia) } == ["2026-10-24 10:00", "2026-10-25 10:00", "2026-10-26 10:00"])
        #expect(dates[1].timeIntervalSince(dates[0]) == 25 * 3600)
        #expect(dates[2].timeIntervalSince(dates[1]) == 24 * 3600)
    }

    @Test func aWallClockTimeTheSpringSwitchSkipsMovesForwardByTheGap() throws {
        // 03:30 does not exist in Sofia on 2026-03-29 (03:00 jumps to 04:00).
        let days = try Self.occurrences(["frequency": "daily", "count": 3], from: "2026-03-28 03:30", Self.sofia)
        #expect(days == ["2026-03-28 03:30", "2026-03-29 04:30", "2026-03-30 03:30"])
    }

    @Test func firstOccurrenceIsStartItselfAndLaterOnesKeepItsMilliseconds() throws {
        let start = Self.instant("2026-01-01 09:00").addingTimeInterval(12.345)
        let dates = try Self.rule(["frequency": "daily", "count": 2]).occurrences(from: start, timeZone: Self.utc, limit: 5, notAfter: nil)
        #expect(dates.first == start)
        #expect(abs(dates[1].timeIntervalSince(start) - 86_400) < 0.000_1)
    }

    @Test func countOfOneIsJustTheStart() throws {
        #expect(try Self.occurrences(["frequency": "monthly", "count": 1], from: "2026-01-31 09:00") == ["2026-01-31 09:00"])
    }

    // MARK: - Parsing

    @Test func parsesTheFullWeeklyForm() throws {
        let rule = try Self.rule(["frequency": "weekly", "interval": 2, "weekdays": ["mon", "thu"], "until": "2027-03-31"])
        #expect(rule == RepeatRule(frequency: .weekly, interval: 2, weekdays: [.mon, .thu], end: .until("2027-03-31")))
    }

    @Test func intervalDefaultsToOneAndNullsCountAsAbsent() throws {
        let rule = try Self.rule(["frequency": "daily", "interval": nil, "count": nil, "never_ends": true])
        #expect(rule == RepeatRule(frequency: .daily, end: .never))
    }

    @Test func neverEndsFalseBesideAnotherEndIsFine() throws {
        #expect(try Self.rule(["frequency": "daily", "count": 4, "never_ends": false]).end == .count(4))
    }

    @Test(arguments: [
        RepeatRule(frequency: .daily, end: .count(10)),
        RepeatRule(frequency: .weekly, interval: 2, weekdays: [.thu, .mon], end: .until("2027-03-31")),
        RepeatRule(frequency: .monthly, interval: 99, end: .never),
        RepeatRule(frequency: .yearly, end: .count(1000)),
    ])
    func jsonRoundTrips(_ rule: RepeatRule) throws {
        #expect(try Self.rule(rule.json) == rule)
        let text = rule.json.serializedString()
        #expect(try Self.rule(JSONValue.parse(text)) == rule)
    }

    @Test func jsonIsTheDocumentedForm() {
        let rule = RepeatRule(frequency: .weekly, interval: 2, weekdays: [.mon, .thu], end: .until("2027-03-31"))
        #expect(rule.json.serializedString() == #"{"frequency":"weekly","interval":2,"weekdays":["mon","thu"],"until":"2027-03-31"}"#)
        #expect(
            RepeatRule(frequency: .daily, end: .never).json.serializedString() == #"{"frequency":"daily","interval":1,"never_ends":true}"#)
    }

    static let refusals: [(JSONValue, [String])] = [
        ("weekly", ["repeat:invalid"]),
        ([], ["repeat:invalid"]),
        (["frequency": "daily", "count": 3, "colour": "red"], ["repeat.colour:unknown_field"]),
        (["count": 3], ["repeat.frequency:required"]),
        (["frequency": nil, "count": 3], ["repeat.frequency:required"]),
        (["frequency": "hourly", "count": 3], ["repeat.frequency:invalid"]),
        (["frequency": 7, "count": 3], ["repeat.frequency:invalid"]),
        (["frequency": "daily"], ["repeat:repeat_end_required"]),
        (["frequency": "daily", "never_ends": false], ["repeat:repeat_end_required"]),
        (["frequency": "daily", "count": 3, "until": "2026-12-31"], ["repeat:repeat_end_conflict"]),
        (["frequency": "daily", "count": 3, "never_ends": true], ["repeat:repeat_end_conflict"]),
        (["frequency": "daily", "until": "2026-12-31", "never_ends": true, "count": 2], ["repeat:repeat_end_conflict"]),
        (["frequency": "daily", "count": 0], ["repeat.count:range"]),
        (["frequency": "daily", "count": 1001], ["repeat.count:range"]),
        (["frequency": "daily", "count": "3"], ["repeat.count:type"]),
        (["frequency": "daily", "count": .decimal(Decimal(string: "2.5")!)], ["repeat.count:type"]),
        (["frequency": "daily", "interval": 0, "count": 3], ["repeat.interval:range"]),
        (["frequency": "daily", "interval": 100, "count": 3], ["repeat.interval:range"]),
        (["frequency": "daily", "interval": true, "count": 3], ["repeat.interval:type"]),
        (["frequency": "daily", "until": "2026-02-30"], ["repeat.until:format"]),
        (["frequency": "daily", "until": "2026-2-3"], ["repeat.until:format"]),
        (["frequency": "daily", "until": 20_261_231], ["repeat.until:format"]),
        (["frequency": "daily", "never_ends": "yes"], ["repeat.never_ends:type"]),
        (["frequency": "daily", "weekdays": ["mon"], "count": 3], ["repeat.weekdays:not_allowed"]),
        (["frequency": "weekly", "weekdays": ["mon", "mon"], "count": 3], ["repeat.weekdays:duplicate"]),
        (["frequency": "weekly", "weekdays": ["monday"], "count": 3], ["repeat.weekdays:invalid"]),
        (["frequency": "weekly", "weekdays": "mon", "count": 3], ["repeat.weekdays:type"]),
        (
            ["frequency": "fortnightly", "interval": 0, "colour": 1],
            ["repeat.colour:unknown_field", "repeat.frequency:invalid", "repeat.interval:range", "repeat:repeat_end_required"]
        ),
    ]

    @Test(arguments: refusals)
    func refusesInvalidRules(_ json: JSONValue, _ expected: [String]) {
        #expect(Self.issues(json) == expected)
    }

    @Test func endRequiredSaysWhatToGive() throws {
        guard case .failure(let issues) = RepeatRule.parse(["frequency": "weekly"], field: "repeat") else {
            Issue.record("a rule without an end was accepted")
            return
        }
        let message = try #require(issues.first?.message)
        #expect(message.contains("until") && message.contains("count") && message.contains("never_ends: true"))
    }

    @Test func issuesUseTheGivenFieldName() {
        guard case .failure(let issues) = RepeatRule.parse(["frequency": "daily", "count": 0], field: "recurrence") else {
            Issue.record("count 0 was accepted")
            return
        }
        #expect(issues.map(\.field) == ["recurrence.count"])
        #expect(issues.first?.message.hasPrefix("recurrence.count ") == true)
    }
}
