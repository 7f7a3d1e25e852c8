import Foundation
import Testing

@testable import CRMCore

struct JSONValueTests {
    @Test func parsesAndSerialisesRoundTrip() throws {
        let text = #"{"a":1,"b":[true,null,"x\"y"],"c":{"d":12.50}}"#
        let value = try JSONValue.parse(text)
        #expect(value["a"] == .int(1))
        #expect(try JSONValue.parse(value.serializedString()) == value)
    }

    @Test(arguments: ["{", "[1,]", "{\"a\":1,\"a\":2}", "01", "\"\\x\"", "1 2", "nul"])
    func refusesMalformedJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.invalidUTF8) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func keepsDecimalsExact() throws {
        guard case .decimal(let value) = try JSONValue.parse("0.1") else {
            Issue.record("expected a decimal")
            return
        }
        #expect(Scaled.micros(from: value) == 100_000)
    }
}

struct NormalisationTests {
    @Test(arguments: ["+7 (912) 345-67-89", "89123456789", "+79123456789", "912 345 67 89"])
    func phonesShareAMatchKey(_ text: String) {
        #expect(PhoneNumber.matchKey(text) == "9123456789")
    }

    @Test func searchTermsFoldCaseAndTransliterate() {
        let document = SearchTerms.document(text: ["Иванов Пётр"], phones: ["8 (912) 345-67-89"], emails: [])
        #expect(document.contains("иванов"))
        #expect(document.contains("ivanov"))
        #expect(document.contains("9123456789"))
        #expect(SearchTerms.query("+7 912 345-67-89") == ["9123456789"])
    }

    @Test func timestampsFormatFixedWidth() {
        #expect(Timestamps.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamps.format(Date(timeIntervalSince1970: 1_700_000_000.123)) == "2023-11-14T22:13:20.123Z")
        #expect(Timestamps.isValidDay("2024-02-29"))
        #expect(!Timestamps.isValidDay("2023-02-29"))
    }

    @Test func uuidV7IsTimeOrdered() {
        let first = UUIDv7.make(at: Date(timeIntervalSince1970: 1000))
        let second = UUIDv7.make(at: Date(timeIntervalSince1970: 1001))
        #expect(first.lowercased < second.lowercased)
        #expect(first.lowercased.dropFirst(14).first == "7")
    }
}

struct ListQueryParserTests {
    @Test func readsFiltersSortAndLimit() throws {
        let query = try ListQueryParser.parse(
            [("last_name", "Иванов"), ("created_at[gte]", "2026-01-01T00:00:00Z"), ("sort", "-created_at,last_name"), ("limit", "10")],
            for: BuiltinEntities.contact
        ).get()
        #expect(query.conditions.count == 2)
        #expect(query.sort.map(\.field.name) == ["created_at", "last_name"])
        #expect(query.limit == 10)
    }

    @Test func reportsEveryBadParameterAtOnce() {
        let result = ListQueryParser.parse(
            [("nope", "1"), ("last_name[between]", "a"), ("birthday[gt]", "yesterday"), ("limit", "0")], for: BuiltinEntities.contact)
        guard case .failure(.validation(let issues)) = result else {
            Issue.record("expected validation issues")
            return
        }
        #expect(issues.count == 4)
    }

    @Test func capsTheFiltersOfOneRequest() throws {
        let allowed = (0..<ListQuery.maximumConditions).map { ("last_name[ne]", "x\($0)") }
        #expect(try ListQueryParser.parse(allowed, for: BuiltinEntities.contact).get().conditions.count == ListQuery.maximumConditions)
        let tooMany = (0..<3_000).map { ("last_name[ne]", "x\($0)") }
        guard case .failure(.validation(let issues)) = ListQueryParser.parse(tooMany, for: BuiltinEntities.contact) else {
            Issue.record("expected a validation issue")
            return
        }
        #expect(issues.map(\.field) == ["filters"])
        #expect(issues.first?.code == "too_many")
    }

    @Test func recordInputRejectsUnknownAndWrongTypedFields() {
        let result = RecordInput.validate(["foo": 1, "last_name": 5, "email": "not-an-email"], for: BuiltinEntities.contact, mode: .create)
        guard case .failure(.validation(let issues)) = result else {
            Issue.record("expected validation issues")
            return
        }
        #expect(Set(issues.map(\.field)) == ["foo", "last_name", "email"])
    }
}

struct FastFormattingTests {
    @Test func uuidTextMatchesFoundation() {
        for _ in 0..<100 {
            let id = UUID()
            #expect(id.lowercased == id.uuidString.lowercased())
            #expect(UUID.parse(id.lowercased) == id)
            #expect(UUID.parse(id.uuidString) == id)
        }
        for bad in [
            "", "not-a-uuid", "01a20bd9-8814-7e3b-9e90-91c126e2bbfg", "01a20bd9x8814-7e3b-9e90-91c126e2bbff",
            "01a20bd9-8814-7e3b-9e90-91c126e2bbff0",
        ] {
            #expect(UUID.parse(bad) == nil)
        }
    }

    @Test func objectsKeepOrderAndCompareByContent() {
        var built = JSONObject()
        built.append("b", 1)
        built.append("a", 2)
        #expect(built.keys == ["b", "a"])
        #expect(built["a"] == .int(2))
        built["a"] = 3
        built["c"] = nil
        #expect(built == JSONObject([("a", 3), ("b", 1)]))
        #expect(JSONValue.object(built).serializedString() == #"{"b":1,"a":3}"#)
    }
}
