import CRMCore
import CRMServices
import Foundation
import Testing

/// `starts` and `contains` filters answer exactly what a scan of every record answers —
/// case- and ё/е-insensitive, on built-in and custom fields, whether the index names few
/// candidates (read by key) or too many (the page walks its sort order) — on both backends.
struct TextFilterTests {
    @Test(arguments: Backend.allCases)
    func filtersAnswerWhatAScanAnswers(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            _ = try await services.metadata.addField(["name": "code", "type": "text", "label": "Code"], entity: "contacts", scope: scope)
            let surnames = [
                "Иванов", "иванова", "ИВАНЕНКО", "Ёлкин", "Елкина", "Smith", "smithson", "O'Neil", "Иван_ов", "Петров", "Сидоров%",
                "Ivanov", "Зёрнов",
            ]
            let firsts = ["Иван", "Пётр", "Anna", "Ёжик", "john", "Мария"]
            var bodies: [JSONValue] = []
            // Past the index's candidate limit (100 on a table this small) for "и", so every way
            // of answering runs: candidates read by key, ranges of a sort index, the walk.
            for index in 0..<2_300 {
                var body: JSONObject = [
                    "first_name": .string(firsts[index % firsts.count]),
                    "last_name": .string(index < 2_050 ? surnames[index % 3] + String(index % 7) : surnames[index % surnames.count]),
                    "c_code": .string(["AB-\(index % 13)", "ёж-\(index)", "Zz\(index % 5)"][index % 3]),
                ]
                if index % 4 != 0 { body["email"] = .string("user\(index)@Mail\(index % 3).RU") }
                if index % 5 != 0 { body["phone_mobile"] = .string("+7 (912) \(100 + index % 900)-\(10 + index % 89)-\(10 + index % 77)") }
                bodies.append(.object(body))
            }
            var records: [EntityRecord] = []
            for start in stride(from: 0, to: bodies.count, by: 500) {
                records += try await services.records.createMany(
                    Array(bodies[start..<min(bodies.count, start + 500)]), entity: "contacts", scope: scope
                ).records
            }
            let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
            let cases: [(String, String, String)] = [
                ("last_name", "starts", "и"), ("last_name", "starts", "Ив"), ("last_name", "starts", "иванен"),
                ("last_name", "starts", "ИВАНОВ3"), ("last_name", "starts", "ел"), ("last_name", "starts", "ЁЛ"),
                ("last_name", "starts", "иван_"), ("last_name", "starts", "сидоров%"), ("last_name", "starts", "o'n"),
                ("last_name", "contains", "ван"), ("last_name", "contains", "ВАН"), ("last_name", "contains", "ёлк"),
                ("last_name", "contains", "ith"), ("last_name", "contains", "ов"), ("last_name", "contains", "нет такого"),
                ("first_name", "starts", "пе"), ("first_name", "contains", "ёж"), ("email", "starts", "user1"),
                ("email", "contains", "@mail2.r"), ("phone_mobile", "starts", "+7 (912) 10"), ("phone_mobile", "contains", "-11-"),
                ("last_name", "starts", "щщ"), ("last_name", "starts", "Иванов" + String(repeating: "о", count: 300)),
                ("c_code", "starts", "ab-1"), ("c_code", "starts", "ЕЖ-1"), ("c_code", "contains", "z3"),
                ("c_code", "contains", "ж-22"),
            ]
            for (field, op, text) in cases {
                let expected = Set(
                    records.filter { record in
                        guard let value = record.record.values[field]?.plainText else { return false }
                        let folded = TextFold.fold(value)
                        let wanted = TextFold.fold(text)
                        return op == "starts" ? folded.hasPrefix(wanted) : folded.contains(wanted)
                    }.map(\.id))
                for sort in ["first_name", "last_name", "-updated_at"] {
                    var seen: [UUID] = []
                    var cursor: String?
                    repeat {
                        var parameters = [("\(field)[\(op)]", text), ("sort", sort), ("limit", "500")]
                        if let cursor { parameters.append(("cursor", cursor)) }
                        let page = try await services.records.listJSON(parameters, entity: "contacts", scope: scope)
                        let json = try JSONValue.parse("[" + String(decoding: page.records, as: UTF8.self) + "]")
                        seen += (json.arrayValue ?? []).compactMap { $0["id"]?.stringValue.flatMap(UUID.init(uuidString:)) }
                        cursor = page.nextCursor
                    } while cursor != nil
                    if !sort.hasPrefix("-") {
                        // In the list's order across pages (values compared as the database does:
                        // code points; a missing value first).
                        let values = seen.map { id in byID[id]?.record.values[sort]?.plainText ?? "" }
                        let ordered = zip(values, values.dropFirst()).allSatisfy { earlier, later in
                            !later.unicodeScalars.lexicographicallyPrecedes(earlier.unicodeScalars) { $0.value < $1.value }
                        }
                        #expect(ordered, "\(field)[\(op)]=\(text) sorted by \(sort): out of order")
                    }
                    let differing = Set(seen).symmetricDifference(expected).count
                    #expect(differing == 0, "\(field)[\(op)]=\(text) sorted by \(sort): \(differing) records differ from a scan")
                    #expect(seen.count == expected.count, "\(field)[\(op)]=\(text): a record twice")
                }
                // A small first page: its window of the sort order is 440 rows, so common
                // filters whose matches lie further on (sorted by a field they correlate with)
                // read their candidates instead; the page holds the first values all the same.
                for sort in ["first_name", "last_name", "-first_name"] {
                    let page = try await services.records.listJSON(
                        [("\(field)[\(op)]", text), ("sort", sort), ("limit", "10")], entity: "contacts", scope: scope)
                    let json = try JSONValue.parse("[" + String(decoding: page.records, as: UTF8.self) + "]")
                    let name = sort.trimmingCharacters(in: ["-"])
                    let shown = (json.arrayValue ?? []).map { $0[name]?.stringValue ?? "" }
                    var wanted = expected.map { byID[$0]?.record.values[name]?.plainText ?? "" }.sorted {
                        $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) { $0.value < $1.value }
                    }
                    if sort.hasPrefix("-") { wanted.reverse() }
                    #expect(shown == Array(wanted.prefix(10)), "\(field)[\(op)]=\(text) sorted by \(sort): first page")
                }
                let counted = try await services.records.listJSON(
                    [("\(field)[\(op)]", text), ("count", "true"), ("limit", "1")], entity: "contacts", scope: scope)
                #expect(counted.total == expected.count, "count of \(field)[\(op)]=\(text)")
            }

            // A record changed or moved to the trash leaves and enters the index with its values.
            let changed = records[0]
            _ = try await services.records.update(
                ["last_name": "Щукин"], id: changed.id, expectedVersion: nil, entity: "contacts", scope: scope)
            let pike = try await services.records.listJSON([("last_name[starts]", "щук")], entity: "contacts", scope: scope)
            #expect(String(decoding: pike.records, as: UTF8.self).contains(changed.id.lowercased))
            try await services.records.delete(id: changed.id, entity: "contacts", scope: scope)
            let gone = try await services.records.listJSON([("last_name[starts]", "щук")], entity: "contacts", scope: scope)
            #expect(gone.records.isEmpty)
        }
    }

    @Test func foldingReadsCaseAndYoAlike() {
        #expect(TextFold.fold("ЁЛКИН Пётр") == "елкин петр")
        let tag = TextFold.fieldTag("last_name")
        #expect(TextFold.startsQuery(field: "last_name", prefix: "Ив\"") == "\"" + tag + tag + "ив\"\"\"")
        #expect(TextFold.fieldTag("last_name") != TextFold.fieldTag("first_name"))
        #expect(TextFold.containsQuery("ab") == nil)
        #expect(TextFold.document([("a", "X"), ("b", "")]) == TextFold.fieldTag("a") + TextFold.fieldTag("a") + "x\u{3}")
        #expect(TextFold.firstLetterSpellings("елкин") == ["Ё", "Е", "е", "ё"])
        #expect(TextFold.firstLetterSpellings("smith") == ["S", "s"])
        #expect(TextFold.firstLetterSpellings("ivan") == ["I", "i", "\u{130}"])
        #expect(TextFold.firstLetterSpellings("john") == ["J", "j"])
        #expect(TextFold.firstLetterSpellings("+7 912") == ["+"])
        #expect(TextFold.firstLetterSpellings("ωmega") == nil)
    }

    /// The spellings table is complete: every Unicode scalar whose folded form starts with a
    /// character the table answers for is among that character's spellings (else a `starts`
    /// range could leave a matching value out).
    @Test func spellingsCoverEveryScalarThatFoldsToThem() {
        var missing: [String] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            guard let first = TextFold.fold(String(Character(scalar))).unicodeScalars.first,
                let spellings = TextFold.spellings(of: first)
            else { continue }
            if !spellings.contains(scalar) { missing.append(String(format: "U+%04X", value)) }
        }
        #expect(missing.isEmpty, "not among the spellings: \(missing.prefix(20))")
    }

    /// Every value whose folded form starts with the prefix lies in one of the ranges of every
    /// head length (checked on the spellings of real names, mixed case included).
    @Test func prefixRangesHoldEveryMatchingSpelling() throws {
        let values = [
            "Иванов", "иванов", "ИВАНОВ", "иВаНоВ", "Иваненко", "Ёлкин", "елкин", "ЕЛКИН", "Елькин", "justin.case@example.com",
            "Justin.Case@Example.com", "JUSTIN", "İvan", "+7 912 345-67-89", "Kelvin", "\u{212A}elvin", "smith", "Smith",
        ]
        for prefix in ["ив", "Иван", "ивано", "ел", "Ёлк", "justin.", "ju", "i", "+7 91", "k", "smi", "s"] {
            let spellings = try #require(TextFold.PrefixSpellings(prefix))
            var heads: [[Unicode.Scalar]] = [[]]
            for length in 0...min(4, spellings.choices.count) {
                if length > 0 { heads = spellings.extend(heads, at: length - 1) }
                let ranges = spellings.ranges(heads)
                for value in values where TextFold.fold(value).hasPrefix(TextFold.fold(prefix)) {
                    let inside = ranges.contains { range in
                        !value.unicodeScalars.lexicographicallyPrecedes(range.lower.unicodeScalars) { $0.value < $1.value }
                            && value.unicodeScalars.lexicographicallyPrecedes(range.upper.unicodeScalars) { $0.value < $1.value }
                    }
                    #expect(inside, "\(value) outside the ranges of \(prefix) spelled to \(length) characters")
                }
            }
        }
        #expect(TextFold.PrefixSpellings("+7 9").map { $0.extend([[]], at: 0).count } == 1)
        #expect(TextFold.PrefixSpellings("ωmega") == nil)
        #expect(TextFold.PrefixSpellings("") == nil)
    }
}
