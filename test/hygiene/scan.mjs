// test/hygiene/scan.mjs: looks for every needle of workload.mjs in files.
//   node test/hygiene/scan.mjs needles.json LABEL=FILE...
// Text needles match case-insensitively, byte needles exactly.  Prints one
// line per (file, needle) found, with the line it was found on shortened
// and the needle itself masked; exits 1 if anything was found.
import { readFileSync } from "node:fs";

const { text, bytes } = JSON.parse(readFileSync(process.argv[2], "utf8"));
let found = 0;
for (const arg of process.argv.slice(3)) {
  const [label, path] = arg.split(/=(.*)/s);
  const raw = readFileSync(path);
  const lower = Buffer.from(raw.toString("latin1").toLowerCase(), "latin1");
  const report = (what, at, len) => {
    found++;
    const start = raw.lastIndexOf(10, at) + 1;
    let end = raw.indexOf(10, at);
    if (end < 0) end = raw.length;
    const line = raw.subarray(start, Math.min(end, start + 300)).toString("latin1");
    const masked = line.slice(0, at - start) + "<" + what + ">" + line.slice(at - start + len);
    console.log(`${label}: contains ${what}: ${masked.slice(0, 300)}`);
  };
  for (const [what, needle] of text) {
    const at = lower.indexOf(Buffer.from(needle.toLowerCase(), "latin1"));
    if (at >= 0) report(what, at, needle.length);
  }
  for (const [what, hex] of bytes) {
    const at = raw.indexOf(Buffer.from(hex, "hex"));
    if (at >= 0) report(what, at, hex.length / 2);
  }
}
process.exitCode = found ? 1 : 0;
