// Renders window.TRANSPARENCIA (data.js). Scraped text is only ever set with textContent, never as HTML.
"use strict";

const DATA = window.TRANSPARENCIA || { findings: [], rules: [], processes: [], as_of: "" };

const KIND_LABELS = {
  empty_seat: "Congresista con condena durante el periodo",
  candidacy_ban: "Impedimento para postular",
  undeclared_conviction: "Condena no declarada en la hoja de vida",
  declared_conviction: "Condena declarada en la hoja de vida",
};
const STATUS_LABELS = {
  empty_seat: "Escaño vacío (art. 15-A)",
  pending: "Pendiente: condena no firme",
  accesitario_replaces: "Reemplazo por el accesitario (art. 25)",
};
const KIND_ORDER = ["empty_seat", "candidacy_ban", "undeclared_conviction", "declared_conviction"];

const $ = (id) => document.getElementById(id);

function normalise(text) {
  return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toUpperCase();
}

function dateEs(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

function fillSelect(select, values, label = (v) => v) {
  [...new Set(values.filter(Boolean))].sort().forEach((value) => {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label(value);
    select.append(option);
  });
}

function safeLink(url) {
  if (!/^https?:\/\//i.test(url || "")) return null;
  const a = document.createElement("a");
  a.href = url;
  a.textContent = url;
  a.rel = "noopener noreferrer";
  a.target = "_blank";
  return a;
}

function addEvidence(list, term, value) {
  if (value === null || value === undefined || value === "") return;
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  if (value instanceof Node) dd.append(value);
  else dd.textContent = String(value);
  list.append(dt, dd);
}

const RULES = Object.fromEntries(DATA.rules.map((r) => [r.id, r]));

function render(finding) {
  const node = $("finding-template").content.firstElementChild.cloneNode(true);
  node.classList.add(`kind-${finding.kind}`);
  const status = STATUS_LABELS[finding.status];
  node.querySelector(".badge").textContent = KIND_LABELS[finding.kind] + (status ? ` · ${status}` : "");
  node.querySelector(".name").textContent = finding.full_name;
  node.querySelector(".who").textContent = [finding.party, finding.office, finding.district, finding.process_code]
    .filter(Boolean).join(" · ");
  node.querySelector(".text").textContent = finding.finding_es;
  const rule = RULES[finding.rule_id];
  node.querySelector(".rule").textContent = `Regla: ${rule ? rule.title_es : finding.rule_id} — ${finding.rule_citation}`;
  const list = node.querySelector(".evidence-list");
  addEvidence(list, "Expediente", finding.case_number);
  addEvidence(list, "Órgano judicial", finding.court);
  addEvidence(list, "Fecha", dateEs(finding.judgment_date));
  addEvidence(list, "Hoja de vida JNE n.º", finding.id_hoja_vida);
  addEvidence(list, "Fuente", safeLink(finding.evidence_url));
  addEvidence(list, "Huella del archivo (sha256)", finding.archive_sha256);
  return node;
}

function currentFilters() {
  return {
    q: normalise($("search").value.trim()),
    process: $("f-process").value,
    region: $("f-region").value,
    party: $("f-party").value,
    office: $("f-office").value,
    kind: $("f-kind").value,
  };
}

function matches(f, c) {
  return (!c.q || normalise(f.full_name).includes(c.q))
    && (!c.process || f.process_code === c.process)
    && (!c.region || f.district === c.region)
    && (!c.party || f.party === c.party)
    && (!c.office || f.office === c.office)
    && (!c.kind || f.kind === c.kind);
}

function update() {
  const criteria = currentFilters();
  const shown = DATA.findings.filter((f) => matches(f, criteria))
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  $("findings").replaceChildren(...shown.map(render));
  $("count").textContent = shown.length === 1 ? "1 hallazgo" : `${shown.length} hallazgos`;
}

function init() {
  $("as-of").textContent = dateEs(DATA.as_of);
  $("as-of").dateTime = DATA.as_of;
  $("demo-banner").hidden = !DATA.demo;
  fillSelect($("f-process"), DATA.findings.map((f) => f.process_code));
  fillSelect($("f-region"), DATA.findings.map((f) => f.district));
  fillSelect($("f-party"), DATA.findings.map((f) => f.party));
  fillSelect($("f-office"), DATA.findings.map((f) => f.office));
  fillSelect($("f-kind"), DATA.findings.map((f) => f.kind), (k) => KIND_LABELS[k] || k);
  DATA.rules.forEach((rule) => {
    const dt = document.createElement("dt");
    dt.textContent = `${rule.title_es} — ${rule.citation}`;
    const dd = document.createElement("dd");
    dd.textContent = rule.summary_es;
    $("rules").append(dt, dd);
  });
  ["search", "f-process", "f-region", "f-party", "f-office", "f-kind"].forEach((id) =>
    $(id).addEventListener("input", update));
  update();
}

init();
