import CRMServices
import Hummingbird

/// The routes of the web pages (the API lives under `/api/v1`).
enum PageRoutes {
    static func add(to router: Router<AppContext>, services: Services) {
        Assets.addRoutes(to: router)
        AuthPages(services: services).addRoutes(to: router)
        let dashboard = DashboardPage(services: services)
        router.get("/", use: dashboard.show)
        let search = SearchPage(services: services)
        router.get("search", use: search.show)
        let profile = ProfilePage(services: services)
        router.get("me", use: profile.show)
        router.post("me", use: profile.save)
        let security = ProfileSecurity(services: services)
        router.post("me/password", use: security.changePassword)
        router.post("me/tokens", use: security.createToken)
        router.post("me/tokens/:id/revoke", use: security.revokeToken)
        router.post("me/sessions/:id/revoke", use: security.revokeSession)
        router.post("me/two-factor/start", use: security.startTwoFactor)
        router.post("me/two-factor/confirm", use: security.confirmTwoFactor)
        router.post("me/two-factor/disable", use: security.disableTwoFactor)
        let notifications = NotificationsPage(services: services)
        router.get("notifications", use: notifications.show)
        router.post("notifications/read", use: notifications.readAll)
        router.post("notifications/:id", use: notifications.open)
        let list = RecordListPage(services: services)
        let record = RecordPage(services: services)
        let form = RecordFormPage(services: services)
        router.get(":entity", use: list.list)
        router.get(":entity/filter", use: list.addFilter)
        let tools = ListTools(services: services)
        router.get(":entity/columns", use: tools.chooseColumns)
        router.post(":entity/bulk", use: tools.bulk)
        router.post(":entity/views", use: tools.saveView)
        router.post(":entity/views/:id/delete", use: tools.deleteView)
        router.post(":entity", use: form.create)
        router.get(":entity/new", use: form.newForm)
        let conversion = ConversionPage(services: services)
        // Routes of one entity go through `:entity` too: the router does not backtrack, so a
        // constant `leads/...` route would hide `/leads/new` and the others.
        router.get(":entity/:id/convert", use: conversion.show)
        router.post(":entity/:id/convert", use: conversion.convert)
        router.get(":entity/:id", use: record.show)
        router.get(":entity/:id/edit", use: form.editForm)
        router.post(":entity/:id/edit", use: form.update)
        router.post(":entity/:id/delete", use: form.delete)
        router.post(":entity/:id/notes", use: record.addNote)
        router.post(":entity/:id/follow", use: record.follow)
        router.post(":entity/:id/copy", use: record.copy)
        router.post(":entity/:id/move", use: KanbanPage(services: services).move)
    }
}
