// test/e2e/widget.test.mjs: examples/widget/ in headless Chromium, driven by
// playwright-core.  Run by test/e2e/run.sh, which starts the services and
// passes ACME_URL, BOLT_URL (the two customers' backends), INGEST_URL,
// APP_DB (widget_app), ADMIN_DB (the superuser, to read identify events),
// ACME_SECRET (to sign an already expired token as a page left open would
// hold), SHOTS and PROFILE (directories).  Prints one "PASS what" or
// "FAIL what: why" line per check.
import { chromium } from "playwright-core";
import pg from "pg";
import jwt from "jsonwebtoken";
import { readFileSync, statSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const env = process.env;
const ACME = env.ACME_URL, BOLT = env.BOLT_URL;

// What each visitor may see: conversation rows of schema.sql, in order.
const HISTORY = {
	acme_ann: ["Hi, invoice 1042 charges me twice.", "Sorry Ann, the second charge is refunded."],
	acme_bob: ["Can I move to the yearly plan?", "Yes: Settings, then Billing."],
	bolt_ann: ["Where is my Bolt order 77?", "It ships tomorrow."],
	bolt_dave: ["Do you ship to Norway?"],
};

let failures = 0;
function check(ok, what, why = "") {
	if (ok) console.log(`PASS ${what}`);
	else {
		failures++;
		console.log(`FAIL ${what}${why ? `: ${why}` : ""}`);
	}
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function checkEqual(actual, expected, what) {
	check(same(actual, expected), what, `got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}
// A step that throws (a timeout, a missing element) counts as one failure
// and the next step still runs.
async function step(name, fn) {
	try {
		await fn();
	} catch (e) {
		check(false, name, e.message.split("\n")[0]);
	}
}

const admin = new pg.Client({ connectionString: env.ADMIN_DB });
const app = new pg.Pool({ connectionString: env.APP_DB, max: 2 });
await admin.connect();

// --- the database side, before any browser

await step("the ingest role is subject to row-level security", async () => {
	const { rows: [r] } = await admin.query(
		`SELECT r.rolsuper, r.rolbypassrls, pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity
		 FROM pg_roles r, pg_class c WHERE r.rolname = 'widget_app' AND c.oid = 'conversation'::regclass`);
	check(!r.rolsuper && !r.rolbypassrls && r.owner !== "widget_app" && r.relrowsecurity,
		"widget_app is no superuser, cannot bypass RLS, does not own conversation; RLS is on", JSON.stringify(r));
	const { rows: [n] } = await app.query("SELECT count(*)::int AS n FROM conversation");
	checkEqual(n.n, 0, "widget_app without an identity sees no conversation row");
});

// --- the browser

mkdirSync(env.SHOTS, { recursive: true });
const context = await chromium.launchPersistentContext(env.PROFILE, {
	executablePath: "/usr/bin/chromium",
	headless: true,
	viewport: { width: 960, height: 640 },
	args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(10000);
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
const requests = [];
page.on("request", (r) => requests.push(`${r.method()} ${r.url()}`));
const refreshes = () => requests.filter((r) => r.includes("/widget-identity")).length;
const shots = [];

async function screenshot(name) {
	const path = join(env.SHOTS, `${name}.png`);
	await page.screenshot({ path, fullPage: true });
	shots.push(path);
}

// The widget once it has settled: state, failure, status line, messages.
async function widget() {
	await page.waitForFunction(() => {
		const w = document.getElementById("woesid-widget");
		return w && w.dataset.state && w.dataset.state !== "loading";
	});
	return page.evaluate(() => {
		const w = document.getElementById("woesid-widget");
		return {
			state: w.dataset.state, failure: w.dataset.failure || null,
			status: w.querySelector(".woesid-status").textContent,
			messages: [...w.querySelectorAll("li.woesid-msg")].map((li) => li.textContent),
		};
	});
}

async function login(site, user) {
	// Log out from the page already shown, if any (loading the site again
	// would identify its user once more).
	if (!page.url().startsWith(site)) await page.goto(site);
	if (await page.locator("#logout").count()) {
		await page.click("#logout");
		await page.waitForSelector("#login");
	}
	await page.fill("#user", user);
	await page.click("#login");
	await page.waitForSelector("#who");
	return widget();
}

// Hands the widget another identity, as a visitor can from the console,
// and waits for it to identify and load the history again.
async function update(identity) {
	await page.evaluate((i) => window.WoesidWidget.update(i), identity);
	return widget();
}
const currentIdentity = () => page.evaluate(() => window.WoesidWidget.identity());

// A JWT with its payload's email changed, signature kept.
function withEmail(token, email) {
	const [h, p, s] = token.split(".");
	const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
	claims.email = email;
	return [h, Buffer.from(JSON.stringify(claims)).toString("base64url"), s].join(".");
}

let annAcmeToken = null;
let annBoltPayload = null;

await step("acme: Ann logs in and sees her history", async () => {
	const w = await login(ACME, "ann");
	checkEqual(w.state, "verified", "acme/ann: the widget is verified");
	checkEqual(w.status, "Signed in as ann.lee@example.com", "acme/ann: the status names the verified email");
	checkEqual(w.messages, HISTORY.acme_ann, "acme/ann: exactly Ann's messages of workspace ws_acme");
	annAcmeToken = (await currentIdentity()).jwt;
	const header = JSON.parse(Buffer.from(annAcmeToken.split(".")[0], "base64url"));
	const claims = JSON.parse(Buffer.from(annAcmeToken.split(".")[1], "base64url"));
	check(claims.exp - claims.iat === 600 && claims.aud === "wpk_acme" && Number.isInteger(claims.iat) &&
		Math.abs(claims.iat - Date.now() / 1000) < 60 && typeof header.kid === "string",
		"acme/ann: the backend's token: aud the widget key, iat now in seconds, 10 minutes, kid set",
		JSON.stringify({ header, claims }));
	await screenshot("1-acme-ann");
});

await step("acme: switching to Bob shows Bob's history", async () => {
	const w = await login(ACME, "bob");
	checkEqual(w.state, "verified", "acme/bob: the widget is verified");
	checkEqual(w.messages, HISTORY.acme_bob, "acme/bob: exactly Bob's messages, none of Ann's");
	await screenshot("2-acme-bob");
});

await step("acme: an expired token is refreshed by the widget", async () => {
	// What a page left open for 20 minutes holds: Bob's token, genuinely
	// signed, expired ten minutes ago (and beyond woesid's 30 s skew).
	const now = Math.floor(Date.now() / 1000);
	const expired = jwt.sign({ email: "bob@example.com", name: "Bob Stone", contact_external_id: "usr_2",
		aud: "wpk_acme", iat: now - 20 * 60, exp: now - 10 * 60 }, env.ACME_SECRET, { algorithm: "HS256" });
	const before = refreshes();
	const w = await update({ jwt: expired });
	check(refreshes() === before + 1, "refresh: the widget asked the backend for a fresh identity once",
		`${refreshes() - before} requests to /widget-identity`);
	checkEqual(w.state, "verified", "refresh: verified after the refresh");
	checkEqual(w.messages, HISTORY.acme_bob, "refresh: Bob's history after the refresh");
	const fresh = (await currentIdentity()).jwt;
	const claims = JSON.parse(Buffer.from(fresh.split(".")[1], "base64url"));
	check(fresh !== expired && claims.exp > now, "refresh: the widget now holds a new, unexpired token");
	// (The fresh token may equal the one the page loaded with, signed in the
	// same second: the events from the expired one's on.)
	const { rows } = await admin.query(
		`SELECT (identity).verified, (identity).failure, payload = $2 AS fresh FROM identify_event
		 WHERE id >= (SELECT min(id) FROM identify_event WHERE payload = $1) ORDER BY id`,
		[JSON.stringify({ jwt: expired }), JSON.stringify({ jwt: fresh })]);
	checkEqual(rows, [{ verified: false, failure: "expired", fresh: false }, { verified: true, failure: null, fresh: true }],
		"refresh: identify events: the expired token stored as expired, then the fresh one verified");
	await screenshot("3-acme-refreshed");
});

await step("acme: a token tampered with in the page shows nothing", async () => {
	// Bob, logged in, edits his token's email into Ann's.
	const bobToken = (await currentIdentity()).jwt;
	const before = refreshes();
	const w = await update({ jwt: withEmail(bobToken, "ann.lee@example.com") });
	checkEqual([w.state, w.failure], ["unverified", "bad_signature"], "tamper jwt: bad_signature");
	checkEqual(w.messages, [], "tamper jwt: no message shown, neither Ann's nor Bob's");
	checkEqual(refreshes(), before, "tamper jwt: no refresh on bad_signature");
	await screenshot("4-acme-tampered");
	// An unsigned token (alg none) claiming Ann.
	const none = [Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url"),
		bobToken.split(".")[1], ""].join(".");
	const w2 = await update({ jwt: withEmail(none, "ann.lee@example.com") });
	checkEqual([w2.state, w2.failure, w2.messages], ["unverified", "unsupported_algorithm", []],
		"tamper jwt: alg none shows nothing");
});

await step("bolt: Ann of workspace ws_bolt sees only ws_bolt's rows", async () => {
	const w = await login(BOLT, "ann");
	checkEqual(w.state, "verified", "bolt/ann: the widget (hmac_email) is verified");
	checkEqual(w.status, "Signed in as ann.lee@example.com", "bolt/ann: the same email as acme's Ann");
	checkEqual(w.messages, HISTORY.bolt_ann, "bolt/ann: exactly ws_bolt's messages, none of ws_acme's");
	annBoltPayload = await currentIdentity();
	check(typeof annBoltPayload.email_hash === "string" && !("jwt" in annBoltPayload),
		"bolt/ann: the page holds {email, email_hash, name}", JSON.stringify(Object.keys(annBoltPayload)));
	await screenshot("5-bolt-ann");
	// Acme's genuine token for Ann through Bolt's widget.
	const w2 = await update({ jwt: annAcmeToken });
	checkEqual([w2.state, w2.failure, w2.messages], ["unverified", "wrong_mode", []],
		"bolt: acme's token for Ann through bolt's widget shows nothing");
});

await step("bolt: Dave's email hash under Ann's email shows nothing", async () => {
	const w = await login(BOLT, "dave");
	checkEqual([w.state, w.messages], ["verified", HISTORY.bolt_dave], "bolt/dave: Dave's own history");
	const dave = await currentIdentity();
	const w2 = await update({ ...dave, email: "ann.lee@example.com", name: "Ann Lee" });
	checkEqual([w2.state, w2.failure, w2.messages], ["unverified", "bad_signature", []],
		"tamper hmac_email: Dave's hash with Ann's email shows nothing");
	await screenshot("6-bolt-tampered");
	const w3 = await update({ ...dave, email_hash: dave.email_hash.replace(/^./, (c) => (c === "0" ? "1" : "0")) });
	checkEqual([w3.state, w3.failure, w3.messages], ["unverified", "bad_signature", []],
		"tamper hmac_email: a changed hash shows nothing");
});

await step("the ingest service's answers to a forged request", async () => {
	// No widget at all: a forged request straight to the ingest service.
	const forged = JSON.stringify({ email: "ann.lee@example.com", email_hash: "0".repeat(64) });
	const res = await fetch(`${env.INGEST_URL}/history?key=wpk_bolt`,
		{ headers: { "X-Widget-Identity": Buffer.from(forged).toString("base64url") } });
	const body = await res.json();
	checkEqual([res.status, body.verified, body.failure, body.messages], [401, false, "bad_signature", []],
		"ingest: a forged history request gets 401 and no rows");
});

await step("autocommit: authenticate and query as two pool.query calls see nothing", async () => {
	// Why the ingest service runs them in one transaction.
	const body = JSON.stringify(annBoltPayload);
	await app.query("SELECT verified FROM woesid_authenticate($1, $2)", ["wpk_bolt", body]);
	const { rows } = await app.query("SELECT body FROM conversation");
	checkEqual(rows.length, 0, "autocommit: no rows, and no error");
	const client = await app.connect();
	try {
		await client.query("BEGIN");
		await client.query("SELECT verified FROM woesid_authenticate($1, $2)", ["wpk_bolt", body]);
		const r = await client.query("SELECT body FROM conversation ORDER BY created_at, id");
		await client.query("COMMIT");
		checkEqual(r.rows.map((x) => x.body), HISTORY.bolt_ann, "one transaction: Ann's ws_bolt rows");
	} finally {
		client.release();
	}
});

await step("identify events carry the trigger's verdicts", async () => {
	const { rows } = await admin.query(
		`SELECT public_key, coalesce((identity).failure, 'verified:' || (identity).email) AS verdict, count(*)::int AS n
		 FROM identify_event GROUP BY 1, 2 ORDER BY 1, 2`);
	const got = Object.fromEntries(rows.map((r) => [`${r.public_key} ${r.verdict}`, r.n]));
	checkEqual(got, {
		"wpk_acme bad_signature": 1,
		"wpk_acme expired": 1,
		"wpk_acme unsupported_algorithm": 1,
		"wpk_acme verified:ann.lee@example.com": 1,
		"wpk_acme verified:bob@example.com": 2,
		"wpk_bolt bad_signature": 2,
		"wpk_bolt verified:ann.lee@example.com": 1,
		"wpk_bolt verified:dave@example.com": 1,
		"wpk_bolt wrong_mode": 1,
	}, "identify_event: one event per widget load, verdicts as expected");
});

checkEqual(pageErrors, [], "no script error in the pages");
await context.close();

// --- the screenshots

for (const path of shots) {
	let ok = false, why = "missing";
	try {
		const png = readFileSync(path);
		const signature = png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		const width = png.readUInt32BE(16), height = png.readUInt32BE(20);
		ok = signature && png.subarray(12, 16).toString() === "IHDR" && width === 960 && height >= 640 &&
			statSync(path).size > 2000;
		why = `${png.length} bytes, ${width}x${height}, PNG signature ${signature}`;
	} catch (e) {
		why = e.message;
	}
	check(ok, `screenshot ${path.split("/").pop()} is a non-empty 960-pixel-wide PNG`, why);
}
checkEqual(shots.length, 6, "six screenshots taken");

await admin.end();
await app.end();
process.exit(failures ? 1 : 0);
