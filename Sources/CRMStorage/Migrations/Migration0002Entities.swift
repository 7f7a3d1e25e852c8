/// The built-in entity tables as they first shipped. Later field additions are new migrations.
enum Migration0002Entities {
    static let migration = Migration(version: 2, name: "entity tables") { dialect in
        var statements: [String] = []
        statements += Schema.recordTable(
            "leads",
            columns: [
                ("first_name", .text), ("last_name", .text), ("company_name", .text), ("title", .text), ("phone", .text),
                ("mobile", .text), ("email", .text), ("website", .text), ("source", .text), ("status", .text),
                ("rating", .text), ("industry", .text), ("annual_revenue", .bigint), ("annual_revenue_currency", .text),
                ("employees", .bigint), ("address", .json), ("city", .text), ("country", .text), ("description", .text),
            ], dialect)
        statements += [
            Schema.sortIndex("leads", "last_name", dialect), Schema.sortIndex("leads", "status", dialect),
            Schema.sortIndex("leads", "email", dialect),
        ]
        statements += Schema.recordTable(
            "contacts",
            columns: [
                ("salutation", .text), ("first_name", .text), ("middle_name", .text), ("last_name", .text), ("title", .text),
                ("department", .text), ("company_id", .uuid), ("email", .text), ("email_other", .text),
                ("phone_mobile", .text), ("phone_work", .text), ("phone_home", .text), ("phone_other", .text),
                ("birthday", .date), ("source", .text), ("address", .json), ("description", .text), ("do_not_mail", .bool),
            ], dialect)
        statements += [
            Schema.sortIndex("contacts", "last_name", dialect), Schema.sortIndex("contacts", "first_name", dialect),
            Schema.sortIndex("contacts", "email", dialect), Schema.sortIndex("contacts", "company_id", dialect),
        ]
        statements += Schema.recordTable(
            "companies",
            columns: [
                ("name", .text), ("industry", .text), ("type", .text), ("website", .text), ("phone", .text), ("email", .text),
                ("annual_revenue", .bigint), ("annual_revenue_currency", .text), ("employees", .bigint), ("inn", .text),
                ("kpp", .text), ("ogrn", .text), ("parent_id", .uuid), ("legal_address", .json), ("postal_address", .json),
                ("rating", .text), ("do_not_mail", .bool), ("description", .text),
            ], dialect)
        statements += [
            Schema.sortIndex("companies", "name", dialect), Schema.sortIndex("companies", "inn", dialect),
        ]
        statements += Schema.recordTable(
            "deals",
            columns: [
                ("title", .text), ("company_id", .uuid), ("contact_id", .uuid), ("amount", .bigint), ("amount_currency", .text),
                ("stage", .text), ("probability", .bigint), ("expected_close_date", .date), ("source", .text),
                ("priority", .text), ("description", .text),
            ], dialect)
        statements += [
            Schema.sortIndex("deals", "stage", dialect), Schema.sortIndex("deals", "company_id", dialect),
            Schema.sortIndex("deals", "amount", dialect),
        ]
        statements += Schema.recordTable(
            "notes",
            columns: [("subject", .text), ("body", .text), ("parent_type", .text), ("parent_id", .uuid)], dialect)
        statements += [Schema.sortIndex("notes", "parent_id", dialect)]
        return statements
    }
}
