#!/usr/bin/env node
// test/readme/blocks.mjs: the fenced code blocks of a Markdown file, for the
// README snippet test (test/readme/run.sh) and scripts/demo.sh.
//   node test/readme/blocks.mjs FILE OUTDIR [--section HEADING]
// Writes OUTDIR/NNN.LANG, one file per fenced block that names a language
// (```sql, ```js, ```sh...; a fence without a language is output, not code),
// and OUTDIR/index, one line per block, its fields separated by the ASCII
// unit separator (0x1f: empty fields survive bash's read, as tabs would not):
//   NNN  LANG  LINE  SECTION  AS  SKIP  EXPECT_ERROR  EXPECT_OUTPUT  NEXT_OUTPUT
// SECTION is the nearest "## " heading above the block.  With --section, only
// the blocks under that "## " heading.  The other columns come from HTML
// comments just before the fence (blank lines between are allowed), which a
// reader of the rendered file does not see:
//   <!-- not run: REASON -->       SKIP: the block is not run, and counted as skipped
//   <!-- as: ROLE -->              AS: run as ROLE instead of the superuser
//   <!-- expect error: TEXT -->    EXPECT_ERROR: it must fail with TEXT in its stderr
//   <!-- expect output: TEXT -->   EXPECT_OUTPUT: its stdout must contain TEXT
// NEXT_OUTPUT is NNN.out when a fence without a language follows the block
// with nothing but prose in between and no other block: the output the text
// shows for it (written to OUTDIR/NNN.out).  Any other comment that looks
// like a marker ("<!-- words: ...", a space after the colon; not
// "<!-- demo:begin -->") is an error, so a misspelt marker cannot quietly
// skip a block.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const [file, outdir, ...rest] = process.argv.slice(2);
if (!file || !outdir) {
	console.error("usage: blocks.mjs FILE OUTDIR [--section HEADING]");
	process.exit(2);
}
const only = rest[0] === "--section" ? rest[1] : null;
const keys = { "not run": "skip", as: "as", "expect error": "expectError", "expect output": "expectOutput" };

const lines = readFileSync(file, "utf8").split("\n");
const blocks = [];
let section = "";
let pending = {}; // markers seen since the last non-comment, non-blank line
for (let i = 0; i < lines.length; i++) {
	const line = lines[i];
	const h = /^## (.*)$/.exec(line);
	if (h) section = h[1].trim();
	const marker = /^\s*<!--\s*([a-z ]+):\s+(.*?)\s*-->\s*$/.exec(line);
	if (marker) {
		const key = keys[marker[1].trim()];
		if (!key) throw new Error(`${file}:${i + 1}: unknown marker "${marker[1]}"`);
		pending[key] = marker[2];
		continue;
	}
	const fence = /^(\s*)(```+)\s*([A-Za-z0-9_+-]*)\s*$/.exec(line);
	if (!fence) {
		if (line.trim() !== "" && !/^\s*<!--.*-->\s*$/.test(line)) pending = {};
		continue;
	}
	const [, indent, ticks, lang] = fence;
	const body = [];
	let j = i + 1;
	for (; j < lines.length; j++) {
		if (lines[j].trim() === ticks && lines[j].startsWith(indent)) break;
		body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
	}
	if (j === lines.length) throw new Error(`${file}:${i + 1}: unclosed fence`);
	blocks.push({ lang, line: i + 1, section, body: body.join("\n") + "\n", ...pending });
	pending = {};
	i = j;
}

// Pair each code block with an output fence that follows it before the next
// code block (prose in between is allowed).
const out = [];
for (let k = 0; k < blocks.length; k++) {
	const b = blocks[k];
	if (!b.lang) continue;
	const next = blocks[k + 1];
	if (next && !next.lang && next.section === b.section) b.output = next.body;
	if (only === null || b.section === only) out.push(b);
}
if (only !== null && out.length === 0) {
	console.error(`${file}: no code block under "## ${only}"`);
	process.exit(1);
}

mkdirSync(outdir, { recursive: true });
const clean = (s) => String(s ?? "").replace(/[\x1f\n]/g, " ");
const index = out.map((b, n) => {
	const id = String(n + 1).padStart(3, "0");
	writeFileSync(`${outdir}/${id}.${b.lang}`, b.body);
	if (b.output !== undefined) writeFileSync(`${outdir}/${id}.out`, b.output);
	return [id, b.lang, b.line, b.section, b.as, b.skip, b.expectError, b.expectOutput,
		b.output !== undefined ? `${id}.out` : ""].map(clean).join("\x1f");
});
writeFileSync(`${outdir}/index`, index.map((l) => l + "\n").join(""));
