import CRMCore
import Foundation
import Testing

@testable import CRMWeb

/// The UI's three catalogs, plural rules, number and date formats, and HTML escaping.
@Suite struct PageLocalizationTests {
    static let pluralCategories: [String: Set<String>] = ["ru": ["one", "few", "many"], "bg": ["one", "other"], "en": ["one", "other"]]

    /// A key without its plural category (`list.found.few` → `list.found`), or nil for a plain key.
    static func pluralBase(_ key: String) -> String? {
        for category in ["one", "few", "many", "other"] where key.hasSuffix(".\(category)") {
            return String(key.dropLast(category.count + 1))
        }
        return nil
    }

    @Test func everyCatalogHasEveryKey() {
        let catalogs = ["en": Catalogs.en, "ru": Catalogs.ru, "bg": Catalogs.bg]
        let plain = catalogs.mapValues { Set($0.keys.filter { Self.pluralBase($0) == nil }) }
        let plurals = catalogs.mapValues { Set($0.keys.compactMap { Self.pluralBase($0) }) }
        let allPlain = plain.values.reduce(Set<String>()) { $0.union($1) }
        let allPlurals = plurals.values.reduce(Set<String>()) { $0.union($1) }
        for (language, keys) in plain {
            #expect(allPlain.subtracting(keys).sorted() == [], "\(language) lacks these keys")
        }
        for (language, catalog) in catalogs {
            for base in allPlurals {
                for category in Self.pluralCategories[language]! {
                    #expect(catalog["\(base).\(category)"]?.contains("{n}") == true, "\(language) lacks \(base).\(category)")
                }
            }
            #expect(catalog.values.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty }, "\(language) has an empty text")
        }
    }

    /// Every key the page sources name literally is in the English catalog (so in all three).
    @Test func everyKeyThePagesUseExists() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CRMWeb")
        let files =
            FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 10)
        let pattern = try Regex(#"\b(?:t|viewer\.t)(?:\.plural)?\("([a-z_]+\.[a-z_.]+)""#)
        var missing: [String] = []
        var found = 0
        for file in files where !file.hasPrefix("Localization/") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                let key = String(match.output[1].substring ?? "")
                let plural = text[match.range].contains(".plural(")
                found += 1
                if plural ? Catalogs.en["\(key).other"] == nil : Catalogs.en[key] == nil { missing.append("\(file): \(key)") }
            }
        }
        #expect(missing == [])
        #expect(found > 80, "the pattern should find the pages' keys")
    }

    @Test(arguments: [
        (1, "1 контакт"), (2, "2 контакта"), (4, "4 контакта"), (5, "5 контактов"), (11, "11 контактов"), (12, "12 контактов"),
        (21, "21 контакт"), (22, "22 контакта"), (111, "111 контактов"), (1_001, "1 001 контакт"),
    ])
    func russianPlurals(count: Int, expected: String) {
        let forms = ["one": "{n} контакт", "few": "{n} контакта", "many": "{n} контактов"]
        let category = Translator.pluralCategory(count, language: "ru")
        let text = forms[category]!.replacingOccurrences(of: "{n}", with: LocaleFormat(language: "ru").integer(Int64(count)))
        #expect(text == expected.replacingOccurrences(of: " ", with: "\u{00A0}").replacingOccurrences(of: "\u{00A0}к", with: " к"))
    }

    @Test func pluralsOfTheCatalogs() {
        #expect(Translator(language: "ru").plural("list.found", 3) == "3 записи")
        #expect(Translator(language: "ru").plural("list.found", 25) == "25 записей")
        #expect(Translator(language: "bg").plural("list.found", 1) == "1 запис")
        #expect(Translator(language: "bg").plural("list.found", 7) == "7 записа")
        #expect(Translator(language: "en").plural("list.found", 1) == "1 record")
    }

    @Test func moneyNumbersAndDates() throws {
        let ru = LocaleFormat(language: "ru", timeZone: try #require(TimeZone(identifier: "Europe/Moscow")))
        let nbsp = "\u{00A0}"
        #expect(ru.money(Money(micros: 1_234_567_000_000, currency: "RUB")) == "1\(nbsp)234\(nbsp)567,00\(nbsp)₽")
        #expect(LocaleFormat(language: "bg").money(Money(micros: 1_500_000, currency: "BGN")) == "1,50\(nbsp)лв.")
        #expect(LocaleFormat(language: "en").money(Money(micros: 1_234_567_000_000, currency: "USD")) == "$1,234,567.00")
        #expect(ru.scaled(12_500_000) == "12,5")
        #expect(ru.day("2026-03-12") == "12.03.2026")
        #expect(LocaleFormat(language: "en").day("2026-03-12") == "Mar 12, 2026")
        // 21:30 UTC is 00:30 the next day in Moscow.
        let moment = try #require(Timestamps.parse("2026-03-11T21:30:00Z"))
        #expect(ru.dateTime(moment) == "12.03.2026 00:30")
        #expect(ru.localInput(moment) == "2026-03-12T00:30")
        #expect(ru.moment(fromLocalInput: "2026-03-12T00:30") == moment)
    }

    @Test func acceptLanguagePicksOurs() {
        #expect(Translator.preferred(acceptLanguage: "ru-RU,ru;q=0.9,en;q=0.8") == "ru")
        #expect(Translator.preferred(acceptLanguage: "de-DE,bg;q=0.5,en;q=0.4") == "bg")
        #expect(Translator.preferred(acceptLanguage: "fr") == "en")
        #expect(Translator.preferred(acceptLanguage: nil) == "en")
    }

    @Test func interpolatedTextIsEscaped() {
        let name = "<script>alert('x')</script> & \"co\""
        let html: HTML = "<td title=\"\(name)\">\(name)</td>"
        #expect(
            html.text
                == "<td title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</td>"
        )
        let inner: HTML = "<b>\(name)</b>"
        let outer: HTML = "<p>\(inner)</p>"
        #expect(outer.text.hasPrefix("<p><b>&lt;script"))
        #expect(HTML.safeURL("javascript:alert(1)") == nil)
        #expect(HTML.safeURL(" JAVASCRIPT:alert(1)") == nil)
        #expect(HTML.safeURL("https://example.com/a?b") == "https://example.com/a?b")
        #expect(HTML.urlComponent("Ив ан&x=1") == "%D0%98%D0%B2%20%D0%B0%D0%BD%26x%3D1")
    }

    @Test func sessionHelpers() {
        #expect(PageSession.csrfToken(for: "abc") == PageSession.csrfToken(for: "abc"))
        #expect(PageSession.csrfToken(for: "abc") != PageSession.csrfToken(for: "abd"))
        #expect(PageSession.matches(PageSession.csrfToken(for: "abc"), PageSession.csrfToken(for: "abc")))
        #expect(!PageSession.matches(nil, PageSession.csrfToken(for: "abc")))
        #expect(PageResponse.localPath("//evil.example/x") == "/")
        #expect(PageResponse.localPath("https://evil.example/") == "/")
        #expect(PageResponse.localPath("/\\evil") == "/")
        #expect(PageResponse.localPath("/contacts?sort=-created_at") == "/contacts?sort=-created_at")
    }

    @Test func periodsAreComputedInThePersonsTimeZone() throws {
        let moscow = try #require(TimeZone(identifier: "Europe/Moscow"))
        // Sunday 15 February 2026, 01:30 in Moscow (Saturday 22:30 UTC).
        let now = try #require(Timestamps.parse("2026-02-14T22:30:00Z"))
        func range(_ name: String) -> (String, String)? {
            PeriodFilter.range(name, now: now, timeZone: moscow).map { (Timestamps.format($0.start), Timestamps.format($0.end)) }
        }
        #expect(range("today")! == ("2026-02-14T21:00:00.000Z", "2026-02-15T21:00:00.000Z"))
        #expect(range("this_week")! == ("2026-02-08T21:00:00.000Z", "2026-02-15T21:00:00.000Z"), "weeks start on Monday")
        #expect(range("this_month")! == ("2026-01-31T21:00:00.000Z", "2026-02-28T21:00:00.000Z"))
        #expect(range("last_month")! == ("2025-12-31T21:00:00.000Z", "2026-01-31T21:00:00.000Z"))
        #expect(range("this_quarter")! == ("2025-12-31T21:00:00.000Z", "2026-03-31T21:00:00.000Z"))
        #expect(range("last_quarter")! == ("2025-09-30T21:00:00.000Z", "2025-12-31T21:00:00.000Z"))
        #expect(range("last_year")! == ("2024-12-31T21:00:00.000Z", "2025-12-31T21:00:00.000Z"))
        #expect(range("next_century") == nil)
        let items = PeriodFilter.expand(
            [("expected_close_date[period]", "this_month"), ("created_at[period]", "yesterday"), ("title[period]", "today")],
            entity: BuiltinEntities.deal, format: LocaleFormat(language: "ru", timeZone: moscow), now: now)
        #expect(
            items.map { "\($0.0)=\($0.1)" } == [
                "expected_close_date[gte]=2026-02-01", "expected_close_date[lt]=2026-03-01",
                "created_at[gte]=2026-02-13T21:00:00.000Z", "created_at[lt]=2026-02-14T21:00:00.000Z",
                "title[period]=today",
            ])
    }
}
