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

          // Tick every row of a list at once; a bulk deletion asks first.
        var pickAll = document.getElementById("pick-all");
        if (pickAll) pickAll.addEventListener("change", function () {
          document.querySelectorAll('input[name="ids"][form="bulk-form"]').forEach(function (box) { box.checked = pickAll.checked; });
        });
        var bulkForm = document.getElementById("bulk-form");
        if (bulkForm) bulkForm.addEventListener("submit", function (event) {
          if (bulkForm.elements.action.value === "delete" && !window.confirm(bulkForm.dataset.confirmDelete)) event.preventDefault();
        });

        // Escape closes an open menu.
          document.addEventListener("keydown", function (event) {
            if (event.key !== "Escape") return;
            document.querySelectorAll("details.menu[open]").forEach(function (menu) { menu.removeAttribute("open"); });
          });


          document.documentElement.classList.add("js");

          function api(method, path, body) {
            return fetch(path, {
              method: method, credentials: "same-origin",
              headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
              body: body ? JSON.stringify(body) : undefined
            });
          }

          // Kanban: drag a card to another column; a stage that needs a reason asks for it first.
          var board = document.getElementById("kanban");
          if (board) {
            var errorBox = document.getElementById("kanban-error");
            var dialog = document.getElementById("reason-dialog");
            var dragged = null;
            function showError(text) { errorBox.textContent = text; errorBox.hidden = false; }
            function recount(column, delta) {
              var badge = column.querySelector(".kanban-count");
              var value = parseInt(badge.dataset.count || "0", 10) + delta;
              badge.dataset.count = String(value);
              badge.textContent = String(value);
            }
            function askReason() {
              return new Promise(function (resolve) {
        if (!dialog || !dialog.showModal) { resolve(null); return; }
        dialog.returnValue = "";
        dialog.addEventListener("close", function handler() {
          dialog.removeEventListener("close", handler);
          resolve(dialog.returnValue === "ok" ? dialog.querySelector("select").value : null);
        });
        dialog.showModal();
              });
            }
            function move(card, target) {
              var source = card.closest(".kanban-column");
              if (source === target) return;
              if (target.dataset.closed === "true") { showError(board.dataset.closed); return; }
              var change = {};
              change[board.dataset.field] = target.dataset.key;
              var ready = target.dataset.needsReason === "true" ? askReason() : Promise.resolve("");
              ready.then(function (reason) {
        if (reason === null) return;
        if (reason) change[board.dataset.reasonField] = reason;
        var next = card.nextSibling;
        target.querySelector(".kanban-cards").prepend(card);
        recount(source, -1); recount(target, 1);
        errorBox.hidden = true;
        api("PATCH", "/api/v1/" + board.dataset.entity + "/" + card.dataset.id, change).then(function (response) {
          if (response.ok) return;
          source.querySelector(".kanban-cards").insertBefore(card, next);
          recount(source, 1); recount(target, -1);
          return response.json().then(function (problem) {
            showError(response.status === 403 || response.status === 404 ? board.dataset.forbidden : board.dataset.failed + " " + (problem.detail || ""));
          }, function () { showError(board.dataset.failed); });
        }, function () {
          source.querySelector(".kanban-cards").insertBefore(card, next);
          recount(source, 1); recount(target, -1);
          showError(board.dataset.failed);
        });
              });
            }
            board.addEventListener("dragstart", function (event) {
              var card = event.target.closest && event.target.closest(".kanban-card");
              if (!card || card.getAttribute("draggable") !== "true") return;
              dragged = card;
              card.classList.add("dragging");
              event.dataTransfer.effectAllowed = "move";
              event.dataTransfer.setData("text/plain", card.dataset.id);
            });
            board.addEventListener("dragend", function () {
              if (dragged) dragged.classList.remove("dragging");
              board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
              dragged = null;
            });
            board.addEventListener("dragover", function (event) {
              var column = event.target.closest && event.target.closest(".kanban-column");
              if (!column || !dragged) return;
              event.preventDefault();
              board.querySelectorAll(".drop-target").forEach(function (c) { if (c !== column) c.classList.remove("drop-target"); });
              column.classList.add("drop-target");
            });
            board.addEventListener("drop", function (event) {
              var column = event.target.closest && event.target.closest(".kanban-column");
              if (!column || !dragged) return;
              event.preventDefault();
              column.classList.remove("drop-target");
              move(dragged, column);
            });
            // The keyboard's way: the card's own form, sent in place.
            board.addEventListener("submit", function (event) {
              var form = event.target;
              if (!form.classList.contains("kanban-move")) return;
              event.preventDefault();
              var target = board.querySelector('.kanban-column[data-key="' + CSS.escape(form.querySelector("select").value) + '"]');
              if (target) move(form.closest(".kanban-card"), target);
            });
          }

          // In-place edits on a record page: the value becomes a field; Enter or Save sends a PATCH
        // with the version the page was read at; a newer version is shown, never overwritten.
        var fields = document.getElementById("record-fields");
        if (fields && fields.dataset.entity) {
          fields.querySelectorAll("dd[data-inline]").forEach(function (cell) {
            var button = document.createElement("button");
            button.type = "button";
            button.className = "link-button inline-edit";
            button.textContent = "✎";
            button.setAttribute("aria-label", fields.dataset.edit + ": " + (cell.previousElementSibling || {}).textContent);
            cell.appendChild(button);
            button.addEventListener("click", function () {
              var shown = Array.prototype.slice.call(cell.childNodes);
              var input = document.createElement(cell.dataset.type === "long_text" ? "textarea" : "input");
              input.value = cell.dataset.value || "";
              input.setAttribute("aria-label", (cell.previousElementSibling || {}).textContent || cell.dataset.inline);
              var save = document.createElement("button"); save.type = "button"; save.className = "primary"; save.textContent = fields.dataset.save;
              var cancel = document.createElement("button"); cancel.type = "button"; cancel.textContent = fields.dataset.cancel;
              var message = document.createElement("div"); message.className = "field-error"; message.setAttribute("role", "alert");
              cell.textContent = "";
              [input, save, cancel, message].forEach(function (node) { cell.appendChild(node); });
              input.focus();
              function restore() { cell.textContent = ""; shown.forEach(function (node) { cell.appendChild(node); }); }
              cancel.addEventListener("click", restore);
              input.addEventListener("keydown", function (event) {
                if (event.key === "Escape") restore();
                if (event.key === "Enter" && input.tagName === "INPUT") { event.preventDefault(); save.click(); }
              });
              save.addEventListener("click", function () {
                var change = {};
                change[cell.dataset.inline] = input.value.trim() === "" ? null : input.value;
                fetch("/api/v1/" + fields.dataset.entity + "/" + fields.dataset.id, {
                  method: "PATCH", credentials: "same-origin",
                  headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf, "If-Match": '"' + fields.dataset.version + '"' },
                  body: JSON.stringify(change)
                }).then(function (response) {
                  if (response.ok) {
                    fields.dataset.version = (response.headers.get("ETag") || "").replace(/[^0-9]/g, "") || fields.dataset.version;
                    return response.json().then(function (record) {
                      var value = record[cell.dataset.inline];
                      cell.dataset.value = value == null ? "" : String(value);
                      shown = [document.createTextNode(cell.dataset.value), button];
                      restore();
                    });
                  }
                  return response.json().then(function (problem) {
                    message.textContent = response.status === 412 ? fields.dataset.conflict : (problem.errors && problem.errors[0] ? problem.errors[0].message : problem.detail || fields.dataset.failed);
                  });
                }).catch(function () { message.textContent = fields.dataset.failed; });
              });
            });
          });
        }

        // Reference fields: type a name, pick the record; the field keeps its id.
          document.querySelectorAll("input[data-reference]").forEach(function (field) {
            var entity = field.dataset.reference;
            var plural = { lead: "leads", contact: "contacts", company: "companies", deal: "deals", activity: "activities", note: "notes" }[entity] || entity;
            var wrap = document.createElement("div");
            wrap.className = "reference-picker";
            var search = document.createElement("input");
            search.type = "search";
            search.autocomplete = "off";
            search.value = field.dataset.title || "";
            search.setAttribute("aria-label", (document.querySelector('label[for="' + field.id + '"]') || {}).textContent || entity);
            var results = document.createElement("div");
            results.className = "reference-results";
            results.hidden = true;
            field.type = "hidden";
            field.parentNode.insertBefore(wrap, field);
            wrap.appendChild(search);
            wrap.appendChild(results);
            wrap.appendChild(field);
            var next = field.nextElementSibling;
            if (next && next.classList.contains("meta")) next.remove();
            var timer = null, sequence = 0;
            search.addEventListener("input", function () {
              clearTimeout(timer);
              if (!search.value.trim()) { field.value = ""; results.hidden = true; return; }
              timer = setTimeout(function () {
        var mine = ++sequence;
        fetch("/api/v1/search?limit=8&entity=" + encodeURIComponent(plural) + "&q=" + encodeURIComponent(search.value.trim()), {
          headers: { "Accept": "application/json", "X-CSRF-Token": csrf }, credentials: "same-origin"
        }).then(function (r) { return r.ok ? r.json() : { data: [] }; }).then(function (body) {
          if (mine !== sequence) return;
          results.textContent = "";
          (body.data || []).forEach(function (hit) {
            var option = document.createElement("button");
            option.type = "button";
            option.textContent = hit.title + (hit.subtitle ? " — " + hit.subtitle : "");
            option.addEventListener("click", function () {
              field.value = hit.id; search.value = hit.title; results.hidden = true;
            });
            results.appendChild(option);
          });
          results.hidden = !(body.data || []).length;
        }).catch(function () {});
              }, 150);
            });
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
