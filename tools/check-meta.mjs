#!/usr/bin/env node
// Validates META.json against the PGXN Meta Spec 1.0.0
// (https://pgxn.org/meta/spec.txt): the required keys and their types,
// semantic versions, a known license, provides entries naming files that
// exist, and versions equal to woesid.control's default_version.
//   node tools/check-meta.mjs     prints "META.json: N passed, M failed"
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const meta = JSON.parse(readFileSync(join(root, "META.json"), "utf8"));
const control = readFileSync(join(root, "woesid.control"), "utf8");
const defaultVersion = control.match(/^default_version = '([^']+)'/m)[1];

const semver = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+)?$/;
// The spec's license strings (section "license").
const licenses = new Set(["agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2",
  "bsd", "freebsd", "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1",
  "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5", "postgresql",
  "qpl_1_0", "ssleay", "sun", "zlib", "open_source", "restricted", "unrestricted", "unknown"]);

let passed = 0, failed = 0;
const check = (ok, what) => {
  if (ok) passed++;
  else { failed++; console.log(`META.json: FAILED: ${what}`); }
};
const isString = (v) => typeof v === "string" && v.length > 0;

check(isString(meta.name) && /^[A-Za-z0-9_-]{2,}$/.test(meta.name), "name");
check(isString(meta.abstract), "abstract");
check(semver.test(meta.version ?? ""), "version is a semantic version");
check(meta.version === defaultVersion, `version equals default_version ${defaultVersion}`);
check(isString(meta.maintainer) || (Array.isArray(meta.maintainer) && meta.maintainer.every(isString)),
  "maintainer");
check(licenses.has(meta.license), "license is one the spec names");
check(meta["meta-spec"]?.version === "1.0.0", "meta-spec version 1.0.0");
check(["stable", "testing", "unstable", undefined].includes(meta.release_status), "release_status");
const provides = Object.entries(meta.provides ?? {});
check(provides.length > 0, "provides at least one extension");
for (const [name, ext] of provides) {
  check(isString(ext.file) && existsSync(join(root, ext.file)), `provides.${name}.file exists`);
  check(semver.test(ext.version ?? ""), `provides.${name}.version is a semantic version`);
  check(ext.version === defaultVersion, `provides.${name}.version equals default_version`);
  check(!ext.docfile || existsSync(join(root, ext.docfile)), `provides.${name}.docfile exists`);
}
for (const [phase, rel] of Object.entries(meta.prereqs ?? {}))
  for (const [kind, deps] of Object.entries(rel))
    for (const [dep, v] of Object.entries(deps))
      check(semver.test(v) || v === 0 || /^[<>=!]/.test(v), `prereqs.${phase}.${kind}.${dep} version`);
console.log(`META.json: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
