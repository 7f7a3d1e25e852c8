import CRMCore
import Foundation

/// The control of one field in a form: its label, the input fitting its type, and the message
/// of what was wrong with it (linked with `aria-describedby`).
enum FieldControl {
    static let currencies = ["RUB", "USD", "EUR", "BGN", "KZT", "BYN", "GBP", "CNY"]

    struct Options: Sendable {
        var users: [(UUID, String)] = []
        /// For references: the current value's title (the control shows it while it holds the id).
        var titles: [UUID: String] = [:]
        var pipelines: [Pipeline] = []
    }

    static func html(
        _ field: FieldDefinition, form: RecordForm, error: String?, readOnly: Bool, viewer: Viewer, options: Options
    ) -> HTML {
        let t = viewer.t
        let id = "f-\(field.name)"
        let invalid: HTML = error != nil ? " aria-invalid=\"true\" aria-describedby=\"\(id)-error\"" : ""
        let common: HTML = "id=\"\(id)\" name=\"\(field.name)\"\(invalid)\(flag: "required", field.isRequired)\(flag: "disabled", readOnly)"
        let value = form.first(field.name)
        let input: HTML
        switch field.type {
        case .text where field.name == "stage" && !options.pipelines.isEmpty:
            // A deal's stage is a key of its pipeline's stages: chosen, not typed.
            let groups = HTML(
                joining: options.pipelines.map { pipeline in
                    let stages = HTML(
                        joining: pipeline.stages.map { stage in
                            "<option value=\"\(stage.key)\"\(flag: "selected", stage.key == value)>\(t.label(stage.name))</option>"
                        })
                    return "<optgroup label=\"\(t.label(pipeline.name))\">\(stages)</optgroup>"
                })
            input = "<select \(common)><option value=\"\">\(t("form.choose"))</option>\(groups)</select>"
        case .text, .phone, .email, .url:
            let type = field.type == .email ? "email" : field.type == .phone ? "tel" : field.type == .url ? "url" : "text"
            let max: HTML = field.maxLength.map { " maxlength=\"\($0)\"" } ?? ""
            input = "<input type=\"\(type)\" \(common) value=\"\(value)\"\(max)>"
        case .longText:
            input = "<textarea \(common) rows=\"4\">\(value)</textarea>"
        case .integer:
            input = "<input type=\"text\" inputmode=\"numeric\" \(common) value=\"\(value)\">"
        case .decimal, .percent:
            input = "<input type=\"text\" inputmode=\"decimal\" \(common) value=\"\(value)\">"
        case .money:
            let currency = form.first("\(field.name)__currency").isEmpty ? "RUB" : form.first("\(field.name)__currency")
            let choices: HTML =
                "\(each: (currencies.contains(currency) ? currencies : [currency] + currencies).map { code in "<option\(flag: "selected", code == currency)>\(code)</option>" as HTML })"
            input = """
                <div class="money-input"><input type="text" inputmode="decimal" \(common) value="\(value)">
                <select aria-label="\(t("form.currency"))" id="\(id)-currency" name="\(field.name)__currency"\(flag: "disabled", readOnly)>\(choices)</select></div>
                """
        case .boolean:
            return """
                <div class="field"><input type="hidden" name="\(field.name)__present" value="1">
                <label><input type="checkbox" \(common) value="true"\(flag: "checked", value == "true")> \(t.label(field.label))</label>
                \(message(id, error))</div>
                """
        case .date:
            input = "<input type=\"date\" \(common) value=\"\(value)\">"
        case .datetime:
            input = "<input type=\"datetime-local\" \(common) value=\"\(value)\">"
        case .choice:
            input = select(common, field.options.map { ($0.value, t.label($0.label)) }, chosen: [value], t: t, required: field.isRequired)
        case .multiChoice:
            let chosen = Set(form.values[field.name] ?? [])
            return """
                <fieldset class="field"><legend>\(t.label(field.label))</legend><input type="hidden" name="\(field.name)__present" value="1">
                \(each: field.options.map { option in "<label><input type=\"checkbox\" name=\"\(field.name)\" value=\"\(option.value)\"\(flag: "checked", chosen.contains(option.value))\(flag: "disabled", readOnly)> \(t.label(option.label))</label>" as HTML })
                \(message(id, error))</fieldset>
                """
        case .user:
            input = select(common, options.users.map { ($0.0.lowercased, $0.1) }, chosen: [value], t: t, required: field.isRequired)
        case .reference:
            // The id itself, with the record's title beside it; search-as-you-type fills it.
            let title = UUID(uuidString: value).flatMap { options.titles[$0] } ?? ""
            input = """
                <input type="text" \(common) value="\(value)" data-reference="\(field.referenceEntity ?? "")" data-title="\(title)" placeholder="\(t("form.reference_placeholder"))">
                \(title.isEmpty ? "" : "<span class=\"meta\">\(title)</span>" as HTML)
                """
        case .tags:
            input = "<input type=\"text\" \(common) value=\"\(value)\" placeholder=\"\(t("form.tags_placeholder"))\">"
        case .address:
            let parts: HTML =
                "\(each: Address.keys.map { key in "<input aria-label=\"\(t("address.\(key)"))\" id=\"\(id)-\(key)\" name=\"\(field.name)__\(key)\" placeholder=\"\(t("address.\(key)"))\" value=\"\(form.first("\(field.name)__\(key)"))\"\(flag: "disabled", readOnly)>" as HTML })"
            return """
                <fieldset class="field wide"><legend>\(t.label(field.label))</legend><div class="address-input">\(parts)</div>\(message(id, error))</fieldset>
                """
        case .uuid, .recurrence:
            return ""
        }
        let wide = field.type == .longText ? " wide" : ""
        return """
            <div class="field\(wide)"><label for="\(id)">\(t.label(field.label))\(field.isRequired ? "<span class=\"required\" aria-hidden=\"true\"> *</span>" as HTML : "")</label>
            \(input)
            \(message(id, error))</div>
            """
    }

    static func select(_ common: HTML, _ choices: [(String, String)], chosen: Set<String>, t: Translator, required: Bool) -> HTML {
        let blank: HTML = "<option value=\"\">\(required ? t("form.choose") : "—")</option>"
        let options: HTML =
            "\(each: choices.map { value, label in "<option value=\"\(value)\"\(flag: "selected", chosen.contains(value))>\(label)</option>" as HTML })"
        return "<select \(common)>\(blank)\(options)</select>"
    }

    static func message(_ id: String, _ error: String?) -> HTML {
        guard let error else { return "" }
        return "<div class=\"field-error\" id=\"\(id)-error\">\(error)</div>"
    }
}

/// Validation issues in the person's language: by their code where the catalog knows it, the
/// server's English message otherwise.
enum FormErrors {
    static func message(_ issue: ValidationIssue, _ t: Translator) -> String {
        let key = "validation.\(issue.code)"
        let text = t(key)
        return text == key ? issue.message : text
    }
}
