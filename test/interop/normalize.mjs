// normalize.mjs: differential test of email normalization against Node over
// every Unicode code point (surrogates and U+0000 aside) in several contexts,
// run inside PostgreSQL through the installed extension.  Node writes each
// input with its s.trim().toLowerCase(); PostgreSQL compares
// woesid_normalize_email(input) with it, and woesid_email_hash(input) with
// pgcrypto's independent HMAC of Node's result.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { psql, tally } from "./psql.mjs";

const dir = mkdtempSync(join(tmpdir(), "woesid-normalize-"));
const vectors = join(dir, "cases.tsv");
try {
  const gen = spawnSync(process.execPath,
    [new URL("gen-normalize-cases.mjs", import.meta.url).pathname, vectors], { stdio: "inherit" });
  if (gen.status !== 0) throw new Error("gen-normalize-cases.mjs failed");

  const [counts, ...mismatches] = psql(`
    CREATE EXTENSION IF NOT EXISTS pgcrypto;
    CREATE TEMP TABLE v (input_hex text, want_hex text);
    \\copy v FROM '${vectors}'
    CREATE TEMP TABLE r AS
      SELECT convert_from(decode(input_hex, 'hex'), 'UTF8') AS input,
             convert_from(decode(want_hex, 'hex'), 'UTF8') AS want FROM v;
    SELECT count(*) FILTER (WHERE woesid_normalize_email(input) = want),
           count(*) FILTER (WHERE woesid_normalize_email(input) IS DISTINCT FROM want),
           count(*) FILTER (WHERE woesid_email_hash(input, '\\x0123456789abcdef'::bytea) =
                                  encode(hmac(convert_to(want, 'UTF8'), '\\x0123456789abcdef'::bytea, 'sha256'), 'hex')),
           count(*) FILTER (WHERE woesid_email_hash(input, '\\x0123456789abcdef'::bytea) IS DISTINCT FROM
                                  encode(hmac(convert_to(want, 'UTF8'), '\\x0123456789abcdef'::bytea, 'sha256'), 'hex'))
    FROM r;
    SELECT input_hex, want_hex FROM v
    WHERE woesid_normalize_email(convert_from(decode(input_hex, 'hex'), 'UTF8'))
          IS DISTINCT FROM convert_from(decode(want_hex, 'hex'), 'UTF8')
    LIMIT 10;`);
  const [okNorm, badNorm, okHash, badHash] = counts.split("\t").map(Number);
  const norm = tally("normalize");
  norm.add(okNorm, badNorm, "normalization differs from Node");
  norm.add(okHash, badHash, "email hash differs from the HMAC of Node's normalization");
  for (const m of mismatches) console.error("normalize: mismatch (input hex, Node hex): " + m);
  norm.done();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
