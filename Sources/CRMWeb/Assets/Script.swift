/// The little JavaScript the pages have. Everything works without it; with it, the global
/// search answers as one types, deletions ask first and menus close on Escape. Values from the
/// server are put into the page as text (`textContent`), never as markup.
enum Script {
    static let text = #"""
        (function () {
          "use strict";
          var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

          // Confirm before forms that destroy something.
          document.addEventListener("submit", function (event) {
            var form = event.target;
            if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
          });

          // Escape closes an open menu.
          document.addEventListener("keydown", function (event) {
            if (event.key !== "Escape") return;
            document.querySelectorAll("details.menu[open]").forEach(function (menu) { menu.removeAttribute("open"); });
          });

          // Global search as you type: one request per pause in typing, the newest answer wins.
          var input = document.getElementById("global-search");
          var box = document.getElementById("search-results");
          if (!input || !box) return;
          var labels = JSON.parse(box.dataset.labels || "{}");
          var timer = null, sequence = 0, selected = -1;

          function hits() { return Array.prototype.slice.call(box.querySelectorAll("a.search-hit")); }
          function select(index) {
            var all = hits();
            if (!all.length) return;
            selected = (index + all.length) % all.length;
            all.forEach(function (hit, i) { hit.setAttribute("aria-selected", i === selected ? "true" : "false"); });
            input.setAttribute("aria-activedescendant", all[selected].id);
          }
          function close() { box.hidden = true; input.setAttribute("aria-expanded", "false"); selected = -1; }
          function render(data, query) {
            box.textContent = "";
            selected = -1;
            if (!data.length) {
              var empty = document.createElement("div");
              empty.className = "empty";
              empty.textContent = box.dataset.empty || "";
              box.appendChild(empty);
            }
            data.forEach(function (hit, i) {
              var link = document.createElement("a");
              link.className = "search-hit";
              link.id = "search-hit-" + i;
              link.setAttribute("role", "option");
              link.href = "/" + encodeURIComponent(hit.entity) + "/" + encodeURIComponent(hit.id);
              var title = document.createElement("span");
              title.textContent = hit.title;
              link.appendChild(title);
              var entity = document.createElement("span");
              entity.className = "hit-entity";
              entity.textContent = labels[hit.entity] || hit.entity;
              link.appendChild(entity);
              if (hit.subtitle) {
                var subtitle = document.createElement("span");
                subtitle.className = "hit-subtitle";
                subtitle.textContent = hit.subtitle;
                link.appendChild(subtitle);
              }
              box.appendChild(link);
            });
            var all = document.createElement("a");
            all.className = "search-all";
            all.href = "/search?q=" + encodeURIComponent(query);
            all.textContent = box.dataset.all || "";
            box.appendChild(all);
            box.hidden = false;
            input.setAttribute("aria-expanded", "true");
          }
          function run() {
            var query = input.value.trim();
            if (query.length < 2) { close(); return; }
            var mine = ++sequence;
            fetch("/api/v1/search?limit=10&q=" + encodeURIComponent(query), {
              headers: { "Accept": "application/json", "X-CSRF-Token": csrf }, credentials: "same-origin"
            }).then(function (response) { return response.ok ? response.json() : { data: [] }; })
              .then(function (body) { if (mine === sequence) render(body.data || [], query); })
              .catch(function () {});
          }
          input.addEventListener("input", function () {
            clearTimeout(timer);
            timer = setTimeout(run, 120);
          });
          input.addEventListener("keydown", function (event) {
            if (event.key === "ArrowDown") { event.preventDefault(); select(selected + 1); }
            else if (event.key === "ArrowUp") { event.preventDefault(); select(selected - 1); }
            else if (event.key === "Enter" && selected >= 0) { event.preventDefault(); hits()[selected].click(); }
            else if (event.key === "Escape") { close(); }
          });
          document.addEventListener("click", function (event) { if (!box.contains(event.target) && event.target !== input) close(); });
        })();
        """#
}
