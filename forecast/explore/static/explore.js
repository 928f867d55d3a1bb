// forecast explore: the page's controls -> POST /api/view -> the parts of the page swapped.
// One request in flight at a time; a change made meanwhile sends the latest state after it.
// window.exploreTimings holds each update's milliseconds, from the change to the new page.
"use strict";
window.exploreTimings = [];

(function () {
  const body = document.body;
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel) => Array.from(document.querySelectorAll(sel));
  const series = JSON.parse($("#series-data").textContent);
  let busy = false, pending = null, selected = null;

  function adjustments() {
    const out = [];
    for (const fs of $$("#controls fieldset")) {
      const ind = fs.dataset.indicator;
      const get = (key) => fs.querySelector(`[data-key="${key}"]`).value;
      const shift = parseFloat(get("growth_shift"));
      const shock = parseFloat(get("shock"));
      const vol = parseFloat(get("volatility"));
      if (vol !== 1) out.push({indicator: ind, volatility: vol});
      if (shift !== 0) out.push({indicator: ind, growth_shift: shift,
                                 from_year: parseInt(get("from_year"), 10)});
      if (shock !== 0) out.push({indicator: ind, shock: shock, year: parseInt(get("year"), 10)});
    }
    return out;
  }

  function values() {
    const out = {};
    for (const input of $$("input[data-target]")) {
      const v = parseFloat(input.value);
      if (Number.isFinite(v) && v !== parseFloat(input.dataset.stated)) out[input.dataset.target] = v;
    }
    return out;
  }

  function request() {
    return {plan: body.dataset.plan, lang: body.dataset.lang,
            region: $("#region") ? $("#region").value || null : null,
            indicator: $("#indicator") ? $("#indicator").value || null : null,
            adjustments: adjustments(), values: values(), selected: selected};
  }

  function swap(data) {
    const focused = document.activeElement;
    const refocus = focused && focused.dataset && focused.dataset.target;
    $("#targets").innerHTML = data.table;
    $("#fan").innerHTML = data.fan;
    $("#curve").innerHTML = data.curve;
    $("#outcome").textContent = data.outcome;
    selected = data.selected;
    if (refocus) {
      const again = document.querySelector(`input[data-target="${CSS.escape(refocus)}"]`);
      if (again) again.focus();
    }
  }

  async function update(started) {
    if (busy) { pending = started; return; }
    busy = true;
    try {
      const response = await fetch("/api/view", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(request())});
      const data = await response.json();
      if (!response.ok) {
        $("#error").textContent = data.error || response.statusText;
      } else {
        $("#error").textContent = "";
        swap(data);
        window.exploreTimings.push(performance.now() - started);
        body.dataset.updated = String(parseInt(body.dataset.updated, 10) + 1);
      }
    } catch (err) {
      $("#error").textContent = String(err);
    } finally {
      busy = false;
      if (pending !== null) { const next = pending; pending = null; update(next); }
    }
  }

  const changed = () => update(performance.now());

  for (const input of $$("#controls input[type=range]")) {
    input.addEventListener("input", () => {
      input.parentElement.querySelector("output").textContent = input.value;
      changed();
    });
  }
  for (const sel of $$("#controls select")) sel.addEventListener("change", changed);
  $("#targets").addEventListener("input", (e) => { if (e.target.dataset.target) changed(); });
  $("#targets").addEventListener("change", (e) => {
    if (e.target.name === "selected") { selected = e.target.value; changed(); }
  });
  $("#plan").addEventListener("change", (e) => {
    window.location.search = `?plan=${encodeURIComponent(e.target.value)}&lang=${body.dataset.lang}`;
  });
  if ($("#region")) {
    $("#region").addEventListener("change", (e) => {
      const ind = $("#indicator");
      ind.innerHTML = "";
      for (const [id, name] of series[e.target.value] || []) {
        const opt = document.createElement("option");
        opt.value = id; opt.textContent = name; ind.appendChild(opt);
      }
      changed();
    });
    $("#indicator").addEventListener("change", changed);
  }
  $("#reset").addEventListener("click", () => {
    for (const input of $$("#controls input[type=range]")) {
      input.value = input.dataset.neutral;
      input.parentElement.querySelector("output").textContent = input.value;
    }
    for (const input of $$("input[data-target]")) input.value = input.dataset.stated;
    changed();
  });
  const save = $("#save");
  if (save) {
    save.addEventListener("click", async () => {
      const out = $("#save-result");
      const response = await fetch("/api/scenario", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({id: $("#save-id").value.trim(), plan: body.dataset.plan,
                              title: $("#save-title").value.trim() || null,
                              adjustments: adjustments()})});
      const data = await response.json();
      out.textContent = response.ok ? body.dataset.saved
        .replace("{file}", data.file).replaceAll("{id}", data.id) : (data.error || response.statusText);
      out.dataset.ok = response.ok ? "1" : "0";
    });
  }
})();
