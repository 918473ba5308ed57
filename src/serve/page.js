"use strict";
(function () {
  var D = JSON.parse(document.getElementById("data").textContent);
  var W = D.words;
  var locale = D.lang === "da" ? "da-DK" : "en-GB";
  var latestId = 0;
  var shown = null;
  var base = null;
  var saved = [];
  var timer = null;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // ---- the levers
  function leverRow(l) {
    var row = el("div", { "class": "lever" });
    var id = "lever-" + l.path.replace(/[^A-Za-z0-9]/g, "-");
    row.appendChild(el("label", { "for": id }, l.label));
    var input = el("input", { type: "text", id: id, "data-path": l.path, "data-text": l.text ? "1" : "",
      "data-original": l.value, placeholder: l.hint || "", inputmode: l.text ? "text" : "decimal" });
    input.value = l.value;
    input.addEventListener("input", schedule);
    row.appendChild(input);
    row.appendChild(el("p", { "class": "err", "data-err-for": l.path }));
    return row;
  }
  D.levers.forEach(function (g) {
    var fs = el("fieldset");
    fs.appendChild(el("legend", {}, g.title));
    g.levers.forEach(function (l) { fs.appendChild(leverRow(l)); });
    $("levers").appendChild(fs);
  });
  $("add-key").addEventListener("click", function () {
    var row = el("div", { "class": "custom-row" });
    var path = el("input", { type: "text", "class": "custom-path", placeholder: "budget.discount_rate", "aria-label": "PATH" });
    var value = el("input", { type: "text", "class": "custom-value", placeholder: "0.04", "aria-label": "VALUE" });
    var remove = el("button", { type: "button" }, W.remove);
    var err = el("p", { "class": "err custom-err" });
    path.addEventListener("input", schedule);
    value.addEventListener("input", schedule);
    remove.addEventListener("click", function () { row.parentNode.removeChild(row); schedule(); });
    row.appendChild(path); row.appendChild(el("span", {}, "=")); row.appendChild(value); row.appendChild(remove); row.appendChild(err);
    $("custom").appendChild(row);
    path.focus();
  });

  // The option on screen as `--set` values: every field changed from the file's value.
  function settings() {
    var out = [];
    document.querySelectorAll("input[data-path]").forEach(function (input) {
      var v = input.value.trim();
      if (v === "" || v === input.getAttribute("data-original")) return;
      var p = input.getAttribute("data-path");
      out.push(input.getAttribute("data-text") ? p + "=" + JSON.stringify(v) : p + "=" + v);
    });
    document.querySelectorAll(".custom-row").forEach(function (row) {
      var p = row.querySelector(".custom-path").value.trim();
      var v = row.querySelector(".custom-value").value.trim();
      if (p !== "" || v !== "") out.push(p + "=" + v);
    });
    return out;
  }

  // ---- errors beside the input that caused them
  function clearErrors() {
    document.querySelectorAll(".err").forEach(function (e) { e.textContent = ""; });
    document.querySelectorAll("[aria-invalid]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
  }
  function covers(path, key) {
    return key === path || key.indexOf(path + ".") === 0 || key.indexOf(path + "[") === 0 ||
      path.indexOf(key + ".") === 0 || path.indexOf(key + "[") === 0;
  }
  function showErrors(r) {
    var problems = r.problems && r.problems.length ? r.problems : [{ key: "", message: r.error }];
    problems.forEach(function (p) {
      var placed = false;
      if (p.key) {
        document.querySelectorAll("input[data-path]").forEach(function (input) {
          if (placed || !covers(input.getAttribute("data-path"), p.key)) return;
          input.setAttribute("aria-invalid", "true");
          input.parentNode.querySelector(".err").textContent = p.message;
          placed = true;
        });
        document.querySelectorAll(".custom-row").forEach(function (row) {
          var path = row.querySelector(".custom-path").value.trim();
          if (placed || path === "" || !covers(path, p.key)) return;
          row.querySelector(".custom-path").setAttribute("aria-invalid", "true");
          row.querySelector(".custom-err").textContent = p.message;
          placed = true;
        });
      }
      if (!placed) {
        var g = $("general-error");
        g.textContent = (g.textContent ? g.textContent + "\n" : "") + p.message;
      }
    });
  }

  function status(state, text) {
    var s = $("status");
    s.setAttribute("data-state", state);
    s.textContent = text;
  }

  // ---- asking the server
  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.text().then(function (t) {
          try { return JSON.parse(t); } catch (e) { return { error: t || String(r.status) }; }
        });
      });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    // From the first keystroke the figures on the page are the last option's: hidden
    // until the answer to the option on screen comes.
    document.body.classList.add("stale");
    status("working", W.working);
    timer = setTimeout(ask, 250);
  }

  async function ask() {
    timer = null;
    var id = ++latestId;
    document.body.setAttribute("data-latest-id", String(id));
    var s = settings();
    document.body.setAttribute("data-latest-settings", JSON.stringify(s));
    document.body.classList.add("stale");
    status("working", W.working);
    try {
      var quick = await post("/api/answer", { id: id, settings: s, size: "quick" });
      if (id !== latestId) return;
      clearErrors();
      if (quick.cancelled) return;
      if (quick.error) { refused(quick); return; }
      show(quick, s);
      if (!quick.quick) return;
      var full = await post("/api/answer", { id: id, settings: s, size: "full" });
      if (id !== latestId || full.cancelled) return;
      if (full.error) { refused(full); return; }
      show(full, s);
    } catch (e) {
      if (id === latestId) status("error", W.failed + " " + e);
    }
  }

  // A refused option has no answer: the figures of the last one are taken off the
  // page rather than left beside inputs they do not belong to.
  function refused(r) {
    status("error", r.error);
    showErrors(r);
    ["warnings", "net-effect", "net-parameters", "net-chance", "net-replications", "net-mcse", "figures", "years",
      "headline", "charts", "footer"].forEach(function (id) { $(id).textContent = ""; });
    shown = null;
    document.body.removeAttribute("data-shown-id");
    document.body.classList.remove("stale");
    drawOptions();
  }

  // ---- showing an answer
  function fmt(v, digits) {
    return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  }
  function signed(v, digits) {
    var r = Number(v.toFixed(digits));
    if (r === 0) r = 0; // no "-0.0" for a change that rounds to nothing
    return (r > 0 ? "+" : "") + fmt(r, digits);
  }
  function delta(kind, d) {
    if (d === null || !isFinite(d)) return "";
    if (kind === "share" || kind === "probability" || kind === "pp") return signed(d * 100, 1) + (D.lang === "da" ? " pct.-point" : " pp");
    if (kind === "dkk") return signed(Math.round(d), 0) + (D.lang === "da" ? " kr." : " DKK");
    return signed(d, 1);
  }
  function figureOf(answer, key) {
    if (!answer) return null;
    for (var i = 0; i < answer.figures.length; i++) if (answer.figures[i].key === key) return answer.figures[i];
    return null;
  }
  function cell(tr, answer, key, withDelta) {
    var td = el("td");
    var f = figureOf(answer, key);
    if (f) {
      td.appendChild(el("span", { "class": "value" }, f.text));
      var b = figureOf(base, key);
      if (withDelta && b && answer !== base) td.appendChild(el("span", { "class": "delta" }, W.change + " " + delta(f.kind, f.value - b.value)));
    }
    tr.appendChild(td);
  }

  function sameSettings(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function show(a, s) {
    if (a.id !== latestId) return;
    shown = a; shown.settings = s;
    if (s.length === 0 && (!base || !a.quick || base.quick)) base = a;
    saved.forEach(function (o) { if (sameSettings(o.settings, s) && o.answer.quick && !a.quick) o.answer = a; });
    document.body.setAttribute("data-shown-id", String(a.id));
    document.body.classList.remove("stale");
    status(a.quick ? "quick" : "full", a.note);
    $("warnings").textContent = (a.warnings || []).join("\n");
    var n = a.net_effect || {};
    $("net-effect").textContent = n.expected_text || "";
    $("net-parameters").textContent = n.parameters_text || "";
    $("net-chance").textContent = n.chance_text || "";
    $("net-replications").textContent = n.replications_text || "";
    $("net-mcse").textContent = n.mcse_text || "";
    // Main figures: as loaded, this option, and the change.
    var t = $("figures"); t.textContent = "";
    var head = el("tr");
    [W.figure, W.as_loaded, W.current].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    t.appendChild(head);
    a.figures.forEach(function (f) {
      var tr = el("tr", { "data-key": f.key });
      tr.appendChild(el("th", { scope: "row" }, f.label));
      cell(tr, base, f.key, false);
      var td = el("td", { "class": "current" });
      td.appendChild(el("span", { "class": "value" }, f.text));
      if (f.mcse_text) td.appendChild(el("span", { "class": "delta" }, f.mcse_text));
      var b = figureOf(base, f.key);
      if (b && base !== a) td.appendChild(el("span", { "class": "delta" }, W.change + " " + delta(f.kind, f.value - b.value)));
      tr.appendChild(td);
      t.appendChild(tr);
    });
    // Money per budget year.
    var y = $("years"); y.textContent = "";
    $("years-unit").textContent = a.budget_years.unit;
    var yh = el("tr"); yh.appendChild(el("th", { scope: "col" }, W.item));
    a.budget_years.years.forEach(function (yr) { yh.appendChild(el("th", { scope: "col" }, yr)); });
    y.appendChild(yh);
    a.budget_years.rows.forEach(function (r) {
      var tr = el("tr", { "data-item": r.item });
      tr.appendChild(el("th", { scope: "row" }, r.name));
      r.cells.forEach(function (c) { tr.appendChild(el("td", {}, c.text)); });
      y.appendChild(tr);
    });
    var h = $("headline"); h.textContent = "";
    a.headline.forEach(function (s2) { h.appendChild(el("li", {}, s2)); });
    var c = $("charts"); c.textContent = "";
    a.charts.forEach(function (ch) {
      var fig = el("figure", { id: "chart-" + ch.id });
      fig.innerHTML = ch.svg;
      c.appendChild(fig);
    });
    $("footer").textContent = a.footer;
    drawOptions();
  }

  // ---- saved options, side by side
  function drawOptions() {
    var t = $("options"); t.textContent = "";
    var rows = base || (saved.length ? saved[0].answer : null);
    if (saved.length === 0 || !rows) return;
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, W.figure));
    head.appendChild(el("th", { scope: "col" }, W.as_loaded));
    saved.forEach(function (o, i) {
      var th = el("th", { scope: "col", title: o.settings.join("\n") });
      th.appendChild(el("span", {}, o.name + " "));
      var rm = el("button", { type: "button" }, W.remove);
      rm.addEventListener("click", function () { saved.splice(i, 1); drawOptions(); });
      th.appendChild(rm);
      th.appendChild(el("span", { "class": "delta" }, o.settings.join(", ")));
      head.appendChild(th);
    });
    t.appendChild(head);
    rows.figures.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, f.label));
      cell(tr, base, f.key, false);
      saved.forEach(function (o) { cell(tr, o.answer, f.key, true); });
      t.appendChild(tr);
    });
  }
  $("keep").addEventListener("click", function () {
    if (!shown) return;
    saved.push({ name: W.option + " " + (saved.length + 1), settings: shown.settings, answer: shown });
    drawOptions();
  });

  // ---- writing the option to a folder
  $("save").addEventListener("click", function () {
    var out = $("save-result");
    out.textContent = W.working;
    post("/api/save", { settings: settings(), folder: $("save-folder").value, overwrite: $("save-overwrite").checked })
      .then(function (r) {
        if (r.error) { out.textContent = r.error; return; }
        out.textContent = W.saved + " " + r.written.join(", ");
        if (shown && shown.quick) schedule();
      })
      .catch(function (e) { out.textContent = W.failed + " " + e; });
  });

  ask();
})();
