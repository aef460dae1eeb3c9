// psql.mjs: runs SQL through psql against the cluster named by the PG*
// environment variables, and a tiny pass/fail tally shared by the suites.
import { spawnSync } from "node:child_process";

// Runs sql (psql -At, tab-separated); returns stdout's lines.  Throws on error.
export function psql(sql, args = []) {
  const r = spawnSync("psql", ["-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", ...args],
    { input: sql, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

export const sqlString = (s) => "'" + String(s).replaceAll("'", "''") + "'";

export function tally(name) {
  let passed = 0, failed = 0;
  return {
    check(ok, what) {
      if (ok) passed++;
      else if (++failed <= 20) console.error(`${name}: FAILED: ${what}`);
    },
    // Counts outcomes decided elsewhere (e.g. by one SQL query).
    add(ok, bad, what) {
      passed += ok;
      failed += bad;
      if (bad) console.error(`${name}: FAILED ${bad} times: ${what}`);
    },
    done() {
      console.log(`${name}: ${passed} passed, ${failed} failed`);
      process.exitCode = failed ? 1 : 0;
    },
  };
}
