// bench/report.mjs: turns the raw rounds scripts/bench.sh collected into the
// benchmark's table, printed and saved.
//
//   node bench/report.mjs RAW.tsv META.tsv OUT.txt
//   node bench/report.mjs --chart RESULTS.txt
//
// Besides OUT.txt it writes OUT.dat (same name, .dat): the chart's data,
// microseconds per verification of woesid's rows and of the peers the run
// measured, which scripts/bench.sh draws with gnuplot as OUT.svg.  With
// --chart it writes RESULTS.dat from a saved table alone (the raw rounds are
// not kept): the medians and ranges as printed, so that an earlier run's
// chart can be drawn again (bash scripts/bench.sh --chart RESULTS.txt).
//
// RAW.tsv: one line per measured round, "item round seconds items verified"
// (tab-separated), from bin/floor, bin/core_bench and the psql session.
// META.tsv: "key<TAB>value" lines printed above the table.
//
// Per round, an item's time per item is seconds / items; a SQL item is net
// of the bare scan of the same table measured in the same round:
// (seconds - scan seconds) / rows.  The table shows the median over rounds
// (and the range), the ratio to this run's floor (JWT items vs the JWT
// floor, email items vs the email floor; SQL items round by round vs the
// floor run again at the start of each SQL round), the ratio to a peer where there is
// one, and the target as text.  A measurement, not a test: it never fails on
// a target.
import { readFileSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
const chartOnly = args[0] === "--chart";
const [rawPath, metaPath, outPath] = chartOnly ? [] : args;
if (chartOnly ? args.length !== 2 : !outPath) {
  console.error("usage: report.mjs RAW.tsv META.tsv OUT.txt | --chart RESULTS.txt");
  process.exit(2);
}

const rounds = new Map(); // item -> Map(round -> {seconds, items, verified})
for (const line of chartOnly ? [] : readFileSync(rawPath, "utf8").split("\n")) {
  if (!line.trim()) continue;
  const [item, round, seconds, items, verified] = line.split("\t");
  if (!rounds.has(item)) rounds.set(item, new Map());
  rounds.get(item).set(Number(round),
    { seconds: Number(seconds), items: Number(items), verified: Number(verified) });
}
const meta = chartOnly ? [] : readFileSync(metaPath, "utf8").split("\n").filter(Boolean)
  .map((l) => l.split("\t"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// [round, µs per item] for each round, net of the scan when there is one.
const warnings = [];
function perRound(item, scan) {
  const rs = rounds.get(item);
  if (!rs) return null;
  const out = [];
  for (const [r, v] of rs) {
    if (v.verified !== v.items)
      warnings.push(`${item} round ${r}: ${v.verified} of ${v.items} verified`);
    let s = v.seconds;
    if (scan) {
      const sv = rounds.get(scan)?.get(r);
      if (!sv) { warnings.push(`${item} round ${r}: no ${scan} in that round`); continue; }
      s -= sv.seconds;
    }
    out.push([r, (s / v.items) * 1e6]);
  }
  return out.length ? out : null;
}

// The rows of the table.  floor: which floor the ratio is to; peer: an item
// to compare with (ratio item / peer); target: [text, factor, against].
const ROWS = [
  { head: "JWT: widget tokens (ratios vs the JWT floor of this run)" },
  { item: "floor_jwt", label: "floor: HMAC-SHA256, SHA256_CTX copies + CRYPTO_memcmp", floor: "jwt" },
  { item: "openssl_hmac_oneshot", label: "OpenSSL one-shot HMAC() per token", floor: "jwt" },
  { item: "core_mac_jwt", label: "core: woesid_mac alone (EVP, precomputed)", floor: "jwt" },
  { item: "core_jwt", label: "core: woesid_jwt_verify", floor: "jwt",
    target: ["<= 2.5x floor", 2.5, "floor"] },
  { item: "sql_jwt_lateral", scan: "scan_tok", label: "SQL (a) verify_jwt LATERAL, net", floor: "jwt",
    peer: ["sql_plpgsql_jwt", "PL/pgSQL"], target: ["<= 5x floor", 5, "floor"] },
  { item: "sql_jwt_filter", scan: "scan_tok", label: "SQL (b) verify_jwt FILTER, net", floor: "jwt",
    peer: ["sql_plpgsql_jwt", "PL/pgSQL"], target: ["<= 5x floor", 5, "floor"] },
  { item: "sql_jwt_subquery", scan: "scan_tok", label: "SQL (a') verify_jwt, subquery OFFSET 0, net", floor: "jwt",
    peer: ["sql_plpgsql_jwt", "PL/pgSQL"], target: ["<= 5x floor", 5, "floor"] },
  { item: "sql_jwt_same_token", scan: "scan_tok", label: "SQL (e) same token every row, net", floor: "jwt",
    target: ["<= 1x floor", 1, "floor"] },
  { item: "sql_identify", scan: "scan_identify_now", label: "SQL (d) woesid_identify, jsonb payload, net", floor: "jwt",
    peer: ["sql_jwt_now", "direct"], target: ["<= 1.5x direct", 1.5, "peer"] },
  { item: "sql_identify_text", scan: "scan_identify_now_text", label: "SQL (d) woesid_identify, text body, net", floor: "jwt",
    peer: ["sql_jwt_now", "direct"], target: ["<= 1.5x direct", 1.5, "peer"] },
  { item: "sql_jwt_now", scan: "scan_tok_now", label: "SQL (d) direct: verify_jwt 3-arg, net", floor: "jwt" },
  { item: "sql_plpgsql_jwt", scan: "scan_tok_sample", label: "SQL (f) PL/pgSQL+pgcrypto HS256, net", floor: "jwt" },
  { item: "scan_tok", label: "SQL bare scan of tok (subtracted)" },
  { item: "between_floor_jwt", label: "floor again, at the start of each SQL round", floor: "jwt" },
  { head: "hmac_email: identify payloads (ratios vs the email floor of this run)" },
  { item: "floor_email", label: "floor: HMAC-SHA256 of normalized email", floor: "email" },
  { item: "core_email", label: "core: woesid_hmac_email_verify", floor: "email" },
  { item: "sql_hmac_email", scan: "scan_pay", label: "SQL (c) woesid_hmac_email, net", floor: "email",
    peer: ["sql_pgcrypto_email", "pgcrypto"], target: ["<= 4x email floor", 4, "floor"] },
  { item: "sql_pgcrypto_email", scan: "scan_pay_email", label: "SQL (f) pgcrypto expression, net", floor: "email" },
  { item: "scan_pay", label: "SQL bare scan of pay (subtracted)" },
  { item: "between_floor_email", label: "floor again, at the start of each SQL round", floor: "email" },
  { head: "Counting (woesid_stat): the same queries in fresh sessions, each round on a cluster that cannot count and one that counts (shared_preload_libraries)" },
  { item: "stat_off_identify", scan: "stat_off_scan_identify", label: "SQL woesid_identify, not counting, net", floor: "jwt" },
  { item: "stat_on_identify", scan: "stat_on_scan_identify", label: "SQL woesid_identify, counting, net", floor: "jwt",
    peer: ["stat_off_identify", "not counting"], paired: true, target: ["<= 1.02x not counting", 1.02, "peer"] },
  { item: "stat_off_jwt", scan: "stat_off_scan_tok", label: "SQL verify_jwt 3-arg, not counting, net", floor: "jwt" },
  { item: "stat_on_jwt", scan: "stat_on_scan_tok", label: "SQL verify_jwt 3-arg, counting, net", floor: "jwt",
    peer: ["stat_off_jwt", "not counting"], paired: true, target: ["<= 1.02x not counting", 1.02, "peer"] },
];

// The chart (scripts/bench.sh draws OUT.dat as OUT.svg): microseconds per
// verification on a log scale, woesid's rows beside the peers that do the
// same work in SQL, top to bottom in this order, the groups apart.  item: a
// row of ROWS; name: the bar's label; peer: drawn in the peers' colour.  A
// bar the run did not measure is left out and named in the subtitle, never
// made up: bench.sh has no pgjwt row (an item "sql_pgjwt" in ROWS would be
// drawn here).
const CHART = [
  { item: "core_jwt", name: "woesid C core, no SQL (woesid_jwt_verify)" },
  { item: "sql_jwt_filter", name: "woesid_verify_jwt, count(*) FILTER" },
  { item: "sql_jwt_lateral", name: "woesid_verify_jwt, LATERAL" },
  { item: "sql_identify_text", name: "woesid_identify, text body" },
  { item: "sql_pgjwt", name: "pgjwt verify()", peer: true },
  { item: "sql_plpgsql_jwt", name: "PL/pgSQL + pgcrypto HS256", peer: true },
  { item: "sql_hmac_email", name: "woesid_hmac_email", group: "email" },
  { item: "sql_pgcrypto_email", name: "pgcrypto hmac() email expression", peer: true, group: "email" },
];

// writeChart(txtPath, meta, get): get(item) is [median, min, max, rounds] or
// null.  The .dat is tab-separated, one bar a line: y, name, median µs, min,
// max, 1 for a peer; a "# title" line and "# subtitle" lines above it.
function writeChart(txtPath, meta, get) {
  const m = new Map(meta);
  const pg = (m.get("software") ?? "").match(/PostgreSQL [0-9.]+/)?.[0] ?? "PostgreSQL ?";
  const cpu = (m.get("cpu") ?? "").replace(/\((R|TM)\)/g, "").replace(/;[^)]*\)/, ")").replace(/ +/g, " ");
  const date = (m.get("date") ?? "").replace(/:[0-9]{2} UTC$/, " UTC");
  const bars = [], missing = [];
  let y = 0, group, rounds = new Set();
  for (const c of [...CHART].reverse()) {   // gnuplot's y grows upwards
    const v = get(c.item);
    if (!v) { missing.unshift(c.name); continue; }
    if (bars.length && c.group !== group) y += 0.6;
    group = c.group;
    const [med, lo, hi, n] = v;
    rounds.add(n);
    // a whisker end at or below zero (a net time can be) has no place on a log scale
    const p = (x) => Number(x.toPrecision(4));
    bars.push([(y++).toFixed(1), c.name, p(med), p(lo > 0 ? lo : med), p(hi > 0 ? hi : med), c.peer ? 1 : 0]);
  }
  const file = txtPath.replace(/^.*\//, "");
  const shown = /bench\/results\//.test(txtPath) ? txtPath.replace(/^.*?bench\/results\//, "bench/results/") : file;
  const title = `woesid: µs per verification, log scale (${pg})`;
  const subtitle = [
    `median of ${[...rounds].join("/") || "?"} rounds, whiskers min..max; SQL rows net of the table scan; ${date}, ${cpu}`,
    (missing.length ? `not measured in this run: ${missing.map((x) => `"${x}"`).join(", ")}; ` : "") +
      `data: ${shown}`,
  ];
  const dat = [
    `# chart data of ${file} (bench/report.mjs; drawn by scripts/bench.sh)`,
    `# title\t${title}`,
    ...subtitle.map((l) => `# subtitle\t${l}`),
    ...bars.map((b) => b.join("\t")),
  ].join("\n") + "\n";
  const datPath = txtPath.replace(/\.txt$/, "") + ".dat";
  writeFileSync(datPath, dat);
  return datPath;
}

// --chart RESULTS.txt: the medians and ranges as the saved table prints them.
if (chartOnly) {
  const txtPath = args[1];
  const txt = readFileSync(txtPath, "utf8").split("\n");
  const meta = [];
  for (const l of txt.slice(1)) {
    if (!l.startsWith("  ")) break;
    meta.push([l.slice(2, 18).trim(), l.slice(19)]);
  }
  const rows = new Map();
  for (const l of txt) {
    const r = l.match(/^(\S.*?) {2,}(-?[0-9.]+) +(-?[0-9.]+)\.\.(-?[0-9.]+) \(([0-9]+)\)/);
    if (r) rows.set(r[1], [r[2], r[3], r[4], r[5]].map(Number));
  }
  const labelOf = new Map(ROWS.filter((r) => r.item).map((r) => [r.item, r.label]));
  console.log(writeChart(txtPath, meta, (item) => rows.get(labelOf.get(item)) ?? null));
  process.exit(0);
}

const med = new Map(), range = new Map(), byRound = new Map();
for (const row of ROWS) {
  if (!row.item) continue;
  const xs = perRound(row.item, row.scan);
  if (!xs) continue;
  const us = xs.map(([, x]) => x);
  med.set(row.item, median(us));
  range.set(row.item, [Math.min(...us), Math.max(...us), us.length]);
  byRound.set(row.item, new Map(xs));
}
const floorOf = { jwt: med.get("floor_jwt"), email: med.get("floor_email") };

// x floor: a SQL row (one with a scan) is divided round by round by the
// floor measured at the start of the same SQL round, then the median of
// those ratios is taken; the C rows, measured in turns with the floor, and
// runs without the between-rounds floor use the median floor.
function floorRatio(row) {
  const between = byRound.get(`between_floor_${row.floor}`);
  if (row.scan && between) {
    const ratios = [...byRound.get(row.item)].filter(([r]) => between.has(r))
      .map(([r, x]) => x / between.get(r));
    if (ratios.length) return median(ratios);
  }
  return floorOf[row.floor] ? med.get(row.item) / floorOf[row.floor] : null;
}

const fmt = (x) => (x == null || !Number.isFinite(x) ? "-" :
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) :
    Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));
const ratio = (x) => (x == null || !Number.isFinite(x) ? "-" :
  x >= 10 ? `${x.toFixed(0)}x` : x >= 1 ? `${x.toFixed(2)}x` : `${x.toFixed(3)}x`);

const header = ["item", "us/item", "min..max", "x floor", "vs peer", "target (text only)"];
const lines = [];
for (const row of ROWS) {
  if (row.head) { lines.push({ head: row.head }); continue; }
  const m = med.get(row.item);
  if (m == null) { lines.push({ cells: [row.label, "(not run)", "", "", "", ""] }); continue; }
  const [lo, hi, n] = range.get(row.item);
  const xf = row.floor ? floorRatio(row) : null;
  let vsPeer = "", xp = null;
  if (row.peer && med.get(row.peer[0]) != null) {
    xp = m / med.get(row.peer[0]);
    // paired: the median of the ratios of the same round, measured moments apart
    const mine = byRound.get(row.item), theirs = byRound.get(row.peer[0]);
    const pairs = row.paired ? [...mine].filter(([r]) => theirs.has(r)).map(([r, x]) => x / theirs.get(r)) : [];
    if (pairs.length) xp = median(pairs);
    vsPeer = `${ratio(xp)} ${row.peer[1]}`;
  }
  let target = "";
  if (row.target) {
    const [text, factor, against] = row.target;
    const x = against === "peer" ? xp : xf;
    target = x == null ? text : `${text} (${x <= factor ? "met" : "missed"})`;
  }
  lines.push({ cells: [row.label, fmt(m), `${fmt(lo)}..${fmt(hi)} (${n})`,
    row.floor ? ratio(xf) : "", vsPeer, target] });
}

const widths = header.map((h, i) =>
  Math.max(h.length, ...lines.filter((l) => l.cells).map((l) => l.cells[i].length)));
const fmtRow = (cells) => cells.map((c, i) =>
  (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
const total = widths.reduce((a, b) => a + b + 2, -2);

const out = [];
out.push("woesid benchmark");
for (const [k, v] of meta) out.push(`  ${k.padEnd(16)} ${v}`);
out.push("");
out.push(fmtRow(header));
out.push("-".repeat(total));
for (const l of lines) {
  if (l.head) { out.push(""); out.push(l.head); continue; }
  out.push(fmtRow(l.cells));
}
out.push("-".repeat(total));
out.push("us/item: median over rounds (count in parentheses) of microseconds per token or");
out.push("payload; SQL rows are net of the bare scan of the same table in the same round.");
out.push("x floor: median / this run's floor; for SQL rows, the median of each round's time over");
out.push("the floor measured at the start of that round.  vs peer: median / the peer's median (< 1: faster);");
out.push("for the counting rows, the median of each round's ratio to the same round's uncounted run.");
out.push("Targets are printed for reference only; nothing fails on them.");
if (warnings.length) {
  out.push("");
  out.push("WARNINGS (results may not be comparable):");
  for (const w of warnings) out.push(`  ${w}`);
}
const text = out.join("\n") + "\n";
process.stdout.write(text);
writeFileSync(outPath, text);
writeChart(outPath, meta, (item) => (med.has(item) ? [med.get(item), ...range.get(item)] : null));
