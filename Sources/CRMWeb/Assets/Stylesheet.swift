/// The one stylesheet: a small design system of custom properties (colours for light and dark,
/// a spacing and a type scale) and the few components the pages are built of.
enum Stylesheet {
    static let text = #"""
        :root {
          --bg: #f6f7f9; --surface: #ffffff; --surface-2: #f0f2f5; --border: #d9dde3; --text: #1b1f24; --muted: #57606a;
          --accent: #1f5fbf; --accent-text: #ffffff; --accent-soft: #e7effb; --danger: #b42318; --danger-soft: #fdecea;
          --ok: #1a7f37; --warn: #9a6700; --focus: #0b57d0;
          --space-1: 4px; --space-2: 8px; --space-3: 12px; --space-4: 16px; --space-5: 24px; --space-6: 32px;
          --text-xs: 12px; --text-sm: 13px; --text-md: 14px; --text-lg: 16px; --text-xl: 20px; --text-2xl: 24px;
          --radius: 6px; --sidebar: 224px;
          --font: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
          color-scheme: light dark;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #0f1216; --surface: #171b21; --surface-2: #1f242c; --border: #2f3742; --text: #e6e9ed; --muted: #a3adb8;
            --accent: #6ea8ff; --accent-text: #0b1220; --accent-soft: #1b2a40; --danger: #ff8a80; --danger-soft: #3a1c1a;
            --ok: #56d364; --warn: #e3b341; --focus: #8ab4ff;
          }
        }
        * { box-sizing: border-box; }
        html, body { margin: 0; padding: 0; }
        body { font: var(--text-md)/1.45 var(--font); background: var(--bg); color: var(--text); }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        :focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
        h1 { font-size: var(--text-2xl); margin: 0 0 var(--space-4); font-weight: 600; }
        h2 { font-size: var(--text-lg); margin: 0 0 var(--space-3); font-weight: 600; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .skip-link { position: absolute; left: -9999px; }
        .skip-link:focus { left: var(--space-2); top: var(--space-2); background: var(--surface); padding: var(--space-2); z-index: 10; }

        /* Shell: a left navigation, a top bar, the page. */
        .shell { display: grid; grid-template-columns: var(--sidebar) 1fr; min-height: 100vh; }
        #sidebar { background: var(--surface); border-right: 1px solid var(--border); padding: var(--space-4) var(--space-3); display: flex; flex-direction: column; gap: var(--space-1); }
        #sidebar .brand { font-weight: 700; font-size: var(--text-lg); padding: var(--space-1) var(--space-2) var(--space-4); color: var(--text); }
        #sidebar a.nav { display: flex; justify-content: space-between; padding: 6px var(--space-2); border-radius: var(--radius); color: var(--text); }
        #sidebar a.nav:hover { background: var(--surface-2); text-decoration: none; }
        #sidebar a.nav[aria-current="page"] { background: var(--accent-soft); color: var(--accent); font-weight: 600; }
        #sidebar .nav-section { font-size: var(--text-xs); text-transform: uppercase; color: var(--muted); padding: var(--space-4) var(--space-2) var(--space-1); letter-spacing: .04em; }
        #sidebar .me { margin-top: auto; border-top: 1px solid var(--border); padding-top: var(--space-3); display: flex; flex-direction: column; gap: var(--space-2); }
        .badge { display: inline-block; min-width: 20px; padding: 0 6px; border-radius: 10px; background: var(--danger); color: #fff; font-size: var(--text-xs); text-align: center; }
        .topbar { display: flex; align-items: center; gap: var(--space-3); padding: var(--space-3) var(--space-5); background: var(--surface); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 5; }
        .search-box { position: relative; flex: 1; max-width: 560px; }
        .search-box input { width: 100%; }
        #search-results { position: absolute; left: 0; right: 0; top: calc(100% + 4px); background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: 0 8px 24px rgba(0,0,0,.12); max-height: 420px; overflow: auto; }
        #search-results[hidden] { display: none; }
        #search-results a.search-hit { display: block; padding: var(--space-2) var(--space-3); color: var(--text); }
        #search-results a.search-hit[aria-selected="true"], #search-results a.search-hit:hover { background: var(--accent-soft); text-decoration: none; }
        .hit-entity { color: var(--muted); font-size: var(--text-xs); margin-left: var(--space-2); }
        .hit-subtitle { display: block; color: var(--muted); font-size: var(--text-sm); }
        main { padding: var(--space-5); max-width: 1400px; }
        .page-head { display: flex; align-items: center; justify-content: space-between; gap: var(--space-3); margin-bottom: var(--space-4); flex-wrap: wrap; }
        .page-head h1 { margin: 0; }
        .actions { display: flex; gap: var(--space-2); flex-wrap: wrap; align-items: center; }

        /* Controls */
        .button, button { font: inherit; display: inline-flex; align-items: center; gap: var(--space-1); padding: 6px var(--space-3); border-radius: var(--radius); border: 1px solid var(--border); background: var(--surface); color: var(--text); cursor: pointer; line-height: 1.4; }
        .button:hover, button:hover { background: var(--surface-2); text-decoration: none; }
        .button.primary, button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
        .button.danger, button.danger { color: var(--danger); border-color: var(--danger); }
        .link-button { background: none; border: none; padding: 0; color: var(--accent); }
        input, select, textarea { font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 6px var(--space-2); }
        textarea { min-height: 80px; width: 100%; }
        input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"] { border-color: var(--danger); }
        details.menu { position: relative; }
        details.menu > summary { list-style: none; }
        details.menu > summary::-webkit-details-marker { display: none; }
        details.menu .menu-items { position: absolute; right: 0; top: calc(100% + 4px); background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: 0 8px 24px rgba(0,0,0,.12); min-width: 200px; padding: var(--space-1) 0; z-index: 6; }
        details.menu .menu-items a { display: block; padding: 6px var(--space-3); color: var(--text); }
        details.menu .menu-items a:hover { background: var(--surface-2); text-decoration: none; }

        /* Forms */
        .form-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: var(--space-4) var(--space-5); }
        .field { display: flex; flex-direction: column; gap: var(--space-1); }
        .field label { font-size: var(--text-sm); color: var(--muted); font-weight: 500; }
        .field.wide { grid-column: 1 / -1; }
        .field .required { color: var(--danger); }
        .field-error { color: var(--danger); font-size: var(--text-sm); }
        .form-error { background: var(--danger-soft); color: var(--danger); border-radius: var(--radius); padding: var(--space-3); margin-bottom: var(--space-4); }
        .notice { background: var(--accent-soft); border-radius: var(--radius); padding: var(--space-3); margin-bottom: var(--space-4); }
        .form-actions { display: flex; gap: var(--space-2); margin-top: var(--space-5); }
        .money-input { display: flex; gap: var(--space-1); }
        .money-input input { flex: 1; min-width: 0; }
        .address-input { display: grid; grid-template-columns: 1fr 1fr; gap: var(--space-1); }
        .card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-4); }

        /* Sign-in */
        .auth-page { min-height: 100vh; display: flex; align-items: center; justify-content: center; padding: var(--space-4); }
        .auth-page .card { width: 100%; max-width: 400px; padding: var(--space-6); }
        .auth-page .field { margin-bottom: var(--space-4); }
        .auth-page input { width: 100%; }
        .auth-page button { width: 100%; justify-content: center; padding: var(--space-2); }

        /* Tables */
        .table-wrap { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 7px var(--space-3); border-bottom: 1px solid var(--border); white-space: nowrap; max-width: 320px; overflow: hidden; text-overflow: ellipsis; }
        th { font-size: var(--text-xs); text-transform: uppercase; letter-spacing: .03em; color: var(--muted); font-weight: 600; background: var(--surface-2); position: sticky; top: 0; }
        th a.sort { color: var(--muted); }
        th a.sort[aria-sort] { color: var(--text); }
        tbody tr:hover { background: var(--surface-2); }
        tbody tr:last-child td { border-bottom: none; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .pager { display: flex; justify-content: space-between; align-items: center; margin-top: var(--space-3); color: var(--muted); }
        .empty { padding: var(--space-6); text-align: center; color: var(--muted); }
        .filters { display: flex; gap: var(--space-2); flex-wrap: wrap; align-items: flex-end; margin-bottom: var(--space-3); }
        .filters .field { min-width: 160px; }
        .chip { display: inline-block; background: var(--surface-2); border: 1px solid var(--border); border-radius: 12px; padding: 0 var(--space-2); font-size: var(--text-sm); margin-right: var(--space-1); }

        /* Record page */
        .record { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.2fr); gap: var(--space-5); align-items: start; }
        @media (max-width: 1000px) { .record { grid-template-columns: 1fr; } .shell { grid-template-columns: 1fr; } #sidebar { display: none; } }
        dl.fields { display: grid; grid-template-columns: minmax(120px, 40%) 1fr; gap: var(--space-2) var(--space-3); margin: 0; }
        dl.fields dt { color: var(--muted); font-size: var(--text-sm); }
        dl.fields dd { margin: 0; overflow-wrap: anywhere; white-space: pre-line; }
        .muted { color: var(--muted); }
        .meta { color: var(--muted); font-size: var(--text-sm); }
        #timeline .timeline-item { border-left: 2px solid var(--border); padding: 0 0 var(--space-4) var(--space-4); position: relative; }
        #timeline .timeline-item::before { content: ""; position: absolute; left: -6px; top: 4px; width: 10px; height: 10px; border-radius: 50%; background: var(--accent); }
        #timeline .timeline-text { white-space: pre-line; overflow-wrap: anywhere; }
        .quick-entry { margin-bottom: var(--space-5); }
        .quick-entry textarea { margin-bottom: var(--space-2); }

        /* Dashboard */
        .counters { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: var(--space-3); margin-bottom: var(--space-5); }
        .counter { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-4); color: var(--text); }
        .counter .value { font-size: var(--text-2xl); font-weight: 700; display: block; }
        .counter.alert .value { color: var(--danger); }
        .panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: var(--space-4); }
        .funnel text { fill: var(--text); font: var(--text-sm) var(--font); }
        .funnel rect { fill: var(--accent); }
        .list-plain { list-style: none; margin: 0; padding: 0; }
        .list-plain li { padding: var(--space-2) 0; border-bottom: 1px solid var(--border); }
        .list-plain li:last-child { border-bottom: none; }

        .stack { display: flex; flex-direction: column; gap: var(--space-4); }
        .related + .related { margin-top: var(--space-4); }
        .related h3 { font-size: var(--text-sm); color: var(--muted); text-transform: uppercase; letter-spacing: .03em; margin: 0 0 var(--space-1); }

        .notifications li.unread button { font-weight: 600; }

        .list-tools { display: flex; gap: var(--space-2); align-items: center; flex-wrap: wrap; margin-bottom: var(--space-3); }
        #saved-views { display: flex; gap: var(--space-1); flex-wrap: wrap; flex: 1; }
        .view-link form.inline, form.inline { display: inline; }
        .menu-items.padded { padding: var(--space-3); min-width: 280px; left: 0; right: auto; }
        .column-choices { display: grid; grid-template-columns: 1fr 1fr; gap: 2px var(--space-3); max-height: 320px; overflow: auto; border: none; padding: 0; margin: 0 0 var(--space-2); }
        td.pick, th.pick { width: 32px; }
        .bulk { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-2) var(--space-3); }

        .inline-edit { margin-left: var(--space-2); opacity: .55; }
        .inline-edit:hover, .inline-edit:focus-visible { opacity: 1; }
        dd[data-inline] input, dd[data-inline] textarea { width: 100%; margin-bottom: var(--space-1); }

        .profile-security { margin-top: var(--space-4); }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }

        /* Kanban */
        .kanban { display: flex; gap: var(--space-3); overflow-x: auto; align-items: flex-start; padding-bottom: var(--space-3); }
        .kanban-column { flex: 0 0 260px; background: var(--surface-2); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-2); min-height: 160px; }
        .kanban-column header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: var(--space-1); padding: var(--space-1) var(--space-1) var(--space-2); }
        .kanban-column header h2 { font-size: var(--text-md); margin: 0; }
        .kanban-column header .meta { flex-basis: 100%; }
        .kanban-column.drop-target { outline: 2px dashed var(--accent); }
        .kanban-cards { display: flex; flex-direction: column; gap: var(--space-2); min-height: 40px; }
        .kanban-card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-2) var(--space-3); cursor: grab; }
        .kanban-card.dragging { opacity: .5; }
        .kanban-card .meta div { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .kanban-move { display: flex; gap: var(--space-1); margin-top: var(--space-2); }
        .kanban-move select { flex: 1; min-width: 0; font-size: var(--text-sm); padding: 2px var(--space-1); }
        .kanban-move button { font-size: var(--text-sm); padding: 2px var(--space-2); }
        .js .kanban-move { display: none; }
        .js .kanban-card:focus-within .kanban-move { display: flex; }
        dialog { border: 1px solid var(--border); border-radius: var(--radius); background: var(--surface); color: var(--text); padding: var(--space-5); max-width: 420px; }
        dialog::backdrop { background: rgba(0,0,0,.35); }
        .reference-picker { position: relative; }
        .reference-results { position: absolute; left: 0; right: 0; top: 100%; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); z-index: 7; max-height: 260px; overflow: auto; }
        .reference-results[hidden] { display: none; }
        .reference-results button { display: block; width: 100%; text-align: left; border: none; border-radius: 0; }
        """#
}
