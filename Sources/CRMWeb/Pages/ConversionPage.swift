import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/leads/{id}/convert`: what a qualified lead becomes — a contact, a company (new, or an
/// existing one picked by search) and a deal in a chosen pipeline and stage — in one step.
struct ConversionPage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        guard context.parameters.get("entity") == "leads" else { throw CRMError.notFound("only leads are converted") }
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: "leads")
        let lead = try await services.records.get(id: id, entity: "leads", scope: viewer.scope).record
        return try await page(viewer, lead: lead, form: nil, issues: [])
    }

    func page(_ viewer: Viewer, lead: Record, form: PageForm?, issues: [ValidationIssue], status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        let t = viewer.t
        let leads = try await services.records.visibleEntity("leads", scope: viewer.scope)
        let title = lead.title(in: leads)
        let hasCompany = !(lead.value(of: "company_name").plainText ?? "").isEmpty
        func checked(_ name: String, default on: Bool) -> Bool { form.map { $0.value(name) == "on" } ?? on }
        let pipelines = try await services.pipelines.list(scope: viewer.scope)
        let chosenStage = form?.value("deal_stage") ?? ""
        let stageOptions = HTML(
            joining: pipelines.map { pipeline in
                let options = HTML(
                    joining: pipeline.openStages.map { stage in
                        let value = "\(pipeline.id.lowercased):\(stage.key)"
                        return "<option value=\"\(value)\"\(flag: "selected", value == chosenStage)>\(t.label(stage.name))</option>"
                    })
                return "<optgroup label=\"\(t.label(pipeline.name))\">\(options)</optgroup>"
            })
        let errors: HTML =
            issues.isEmpty
            ? ""
            : "<div class=\"form-error\" role=\"alert\" id=\"form-errors\">\(HTML(joining: issues.map { "<div>\(FormErrors.message($0, t)) (\($0.field))</div>" }))</div>"
        let dealTitle = form?.value("deal_title") ?? (hasCompany ? lead.value(of: "company_name").plainText ?? title : title)
        let main: HTML = """
            <div class="page-head"><h1>\(t("convert.title", title))</h1></div>
            \(errors)
            <form id="convert-form" class="card" method="post" action="/leads/\(lead.id.lowercased)/convert">\(viewer.csrfField)
            <fieldset class="field"><legend>\(t("convert.what"))</legend>
            <label><input type="checkbox" id="convert-contact" name="contact"\(flag: "checked", checked("contact", default: true))> \(t("convert.contact"))</label>
            <label><input type="checkbox" id="convert-company" name="company"\(flag: "checked", checked("company", default: hasCompany))> \(t("convert.company"))</label>
            <div class="field"><label for="existing-company">\(t("convert.existing_company"))</label>
            <input id="existing-company" name="company_id" data-reference="company" value="\(form?.value("company_id") ?? "")" placeholder="\(t("form.reference_placeholder"))"></div>
            <label><input type="checkbox" id="convert-deal" name="deal"\(flag: "checked", checked("deal", default: true))> \(t("convert.deal"))</label>
            </fieldset>
            <div class="form-grid">
            <div class="field"><label for="deal-title">\(t("convert.deal_title"))</label><input id="deal-title" name="deal_title" value="\(dealTitle)"></div>
            <div class="field"><label for="deal-stage">\(t("convert.deal_stage"))</label><select id="deal-stage" name="deal_stage">\(stageOptions)</select></div>
            </div>
            <div class="form-actions"><button id="convert-submit" class="primary" type="submit">\(t("convert.submit"))</button><a class="button" href="/leads/\(lead.id.lowercased)">\(t("form.cancel"))</a></div>
            </form>
            """
        return try await frame.render(viewer, title: t("convert.title", title), status: status, main: main)
    }

    @Sendable func convert(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        guard context.parameters.get("entity") == "leads" else { throw CRMError.notFound("only leads are converted") }
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: "leads")
        var body = JSONObject()
        if form.value("contact") == "on" { body["contact"] = .bool(true) }
        let existing = (form.value("company_id") ?? "").trimmingCharacters(in: .whitespaces)
        if !existing.isEmpty {
            body["company"] = ["id": .string(existing)]
        } else if form.value("company") == "on" {
            body["company"] = .bool(true)
        }
        if form.value("deal") == "on" {
            var deal = JSONObject()
            let title = (form.value("deal_title") ?? "").trimmingCharacters(in: .whitespaces)
            if !title.isEmpty { deal["title"] = .string(title) }
            let stage = (form.value("deal_stage") ?? "").split(separator: ":", maxSplits: 1).map(String.init)
            if stage.count == 2 {
                deal["pipeline_id"] = .string(stage[0])
                deal["stage"] = .string(stage[1])
            }
            body["deal"] = .object(deal)
        }
        do {
            let result = try await services.conversion.convert(id: id, body: .object(body), scope: viewer.scope)
            var made: [String] = []
            if let contact = result.contact { made.append("contacts/\(contact.id.lowercased)") }
            if let company = result.company, result.companyCreated { made.append("companies/\(company.id.lowercased)") }
            if let deal = result.deal { made.append("deals/\(deal.id.lowercased)") }
            return PageResponse.redirect("/leads/\(id.lowercased)?converted=\(HTML.urlComponent(made.joined(separator: ",")))")
        } catch CRMError.validation(let issues) {
            let lead = try await services.records.get(id: id, entity: "leads", scope: viewer.scope).record
            return try await page(viewer, lead: lead, form: form, issues: issues, status: .unprocessableContent)
        }
    }
}
