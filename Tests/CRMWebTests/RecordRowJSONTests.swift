import CRMCore
import CRMServices
import Foundation
import HummingbirdTesting
import Testing

@testable import CRMStorage

/// List pages and single reads are written straight from result rows; what a write answers goes
/// through `Record`. Both must say exactly the same about every record, every field type and
/// custom fields too.
struct RecordRowJSONTests {
    @Test(arguments: Backend.allCases)
    func listItemsEqualSingleReads(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            for (name, type, extra) in [
                ("score", "decimal", JSONObject()), ("budget", "money", JSONObject()), ("share", "percent", JSONObject()),
                ("seen", "datetime", JSONObject()), ("day", "date", JSONObject()), ("vip", "boolean", JSONObject()),
                ("kinds", "multi_choice", ["options": [["value": "a"], ["value": "b"]]] as JSONObject),
                ("home", "address", JSONObject()), ("peer", "reference", ["reference_entity": "contact"] as JSONObject),
                ("note", "long_text", JSONObject()),
            ] {
                var body: JSONObject = ["name": .string(name), "type": .string(type), "label": .string(name)]
                for (key, value) in extra { body[key] = value }
                _ = try await services.metadata.addField(.object(body), entity: "contacts", scope: scope)
            }
            let company = try await services.records.create(
                ["name": "ООО «Вектор»", "inn": "7707083893", "legal_address": ["city": "Москва", "street": "Тверская, 1"]],
                entity: "companies", scope: scope)
            let first = try await services.records.create(
                [
                    "first_name": "Иван", "last_name": "Петров \"Кавычки\" <b>", "company_id": .string(company.id.lowercased),
                    "birthday": "1980-02-29", "do_not_mail": true, "tags": ["vip", "ключевой"], "phone_mobile": "+7 (912) 345-67-89",
                    "address": ["city": "Казань", "street": "ул. \"Мира\" <5>"], "description": "строка\nещё строка\t«»",
                    "c_score": "12.345678", "c_budget": ["amount": "1500000.50", "currency": "EUR"], "c_share": "33.3",
                    "c_seen": "2026-11-24T10:00:00.123Z", "c_day": "2026-01-31", "c_vip": false, "c_kinds": ["b", "a"],
                    "c_home": ["country": "BG", "city": "София"], "c_note": "длинный\nтекст",
                ], entity: "contacts", scope: scope)
            let second = try await services.records.create(
                ["last_name": "Smith", "c_peer": .string(first.id.lowercased)], entity: "contacts", scope: scope)
            _ = try await services.records.create(
                [
                    "title": "Сделка", "amount": ["amount": "99.99", "currency": "USD"], "company_id": .string(company.id.lowercased),
                    "contact_id": .string(first.id.lowercased), "expected_close_date": "2027-03-01",
                ], entity: "deals", scope: scope)
            _ = try await services.records.create(
                [
                    "type": "meeting", "subject": "Встреча", "start_at": "2026-12-01T09:00:00Z", "end_at": "2026-12-01T10:30:00Z",
                    "parent_type": "contact", "parent_id": .string(second.id.lowercased),
                    "repeat": ["frequency": "weekly", "weekdays": ["tue"], "count": 2],
                ], entity: "activities", scope: scope)
            var compared = 0
            for entity in ["contacts", "companies", "deals", "activities", "leads", "notes"] {
                let list = try await client.execute(uri: "/api/v1/\(entity)?limit=500", method: .get, headers: tenant.authorization)
                #expect(list.status == .ok)
                for item in list.json["data"]?.arrayValue ?? [] {
                    let id = try #require(item["id"]?.stringValue)
                    // Lists and single reads are written from rows; writes answer with `Record.json`.
                    let single = try await client.execute(uri: "/api/v1/\(entity)/\(id)", method: .get, headers: tenant.authorization)
                    #expect(item == single.json, "\(entity)/\(id)")
                    let record = try await services.records.get(id: try #require(UUID(uuidString: id)), entity: entity, scope: scope)
                    let written = try JSONValue.parse(record.json.serializedString())
                    #expect(item == written, "\(entity)/\(id) as a write answers it")
                    compared += 1
                }
            }
            #expect(compared == 6)
        }
    }

    /// Stored address text is copied only when it is exactly the written form.
    @Test func addressCopyNeedsTheExactWrittenForm() {
        func canonical(_ text: String) -> Bool {
            var text = text
            return text.withUTF8 { RecordRowJSON.isCanonicalAddress($0) }
        }
        #expect(canonical(#"{}"#))
        #expect(canonical(#"{"city":"Казань"}"#))
        #expect(canonical(#"{"street":"Тверская, 1","city":"Москва","country":"RU"}"#))
        #expect(!canonical(#"{"city":"Москва","street":"Тверская, 1"}"#), "keys out of order")
        #expect(!canonical(#"{"city":""}"#), "an empty part is left out when written")
        #expect(!canonical(#"{"town":"Москва"}"#), "unknown key")
        #expect(!canonical(#"{"city": "Москва"}"#), "a space")
        #expect(!canonical(#"{"city":"a\"b"}"#), "an escape")
        #expect(!canonical(#"{"city":"<b>"}"#), "written escaped")
        #expect(!canonical(#"{"city":"Москва","city":"Тула"}"#), "a key twice")
        #expect(!canonical(#"{"city":"Москва",}"#))
        #expect(!canonical(#"{"city":"Москва""#))
        #expect(!canonical(#"["city"]"#))
        for stored in [#"{"city":"Москва","street":"Тверская, 1"}"#, #"{"city":"<b>","street":""}"#, #"{"city":"Казань"}"#] {
            var copied: [UInt8] = []
            RecordRowJSON.writeAddress(.text(stored), to: &copied)
            var written: [UInt8] = []
            FieldColumns.value(.text(stored), currency: .null, type: .address, name: "address").json.write(to: &written)
            #expect(copied == written, "\(stored)")
        }
    }
}
