// examples/widget/backend.mjs: a customer's own web backend.  Its users log
// in; for the logged-in user it signs the chat widget's identity with the
// widget secret the chat vendor generated, and the page hands that identity
// to the vendor's widget.  The secret stays here: it never reaches a browser.
//   PORT=8081 SITE_ID=acme SITE_NAME="Acme Cloud" WIDGET_KEY=wpk_acme WIDGET_MODE=jwt \
//   WIDGET_SECRET=<64 hex> [WIDGET_KEY_ID=<key id>] INGEST_URL=http://127.0.0.1:8090 \
//   [USERS='[{"login": "ann", "id": "usr_1", "email": "Ann.Lee@example.com", "name": "Ann Lee"}]'] \
//   node examples/widget/backend.mjs
// WIDGET_MODE jwt: {jwt}, an HS256 token keyed by the secret string, aud the
// widget's public key, iat now in seconds, exp ten minutes later (woesid
// refuses lifetimes over 15 minutes); hmac_email: {email, email_hash, name},
// the hash an HMAC-SHA256 of the normalized email keyed by the secret's
// hex-decoded bytes.
//   GET /                  the site: a login form, or the page with the widget
//   POST /login, /logout   a session cookie (no password in this example)
//   GET /widget-identity   a freshly signed identity for the session's user
import { createServer } from "node:http";
import { createHmac, randomBytes } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../test/package.json", import.meta.url));
const jwt = require("jsonwebtoken");

const env = process.env;
const port = Number(env.PORT || 8081);
const siteId = env.SITE_ID || "acme";
const siteName = env.SITE_NAME || "Acme Cloud";
const widgetKey = env.WIDGET_KEY;
const mode = env.WIDGET_MODE || "jwt";
const secret = env.WIDGET_SECRET;
const keyId = env.WIDGET_KEY_ID || undefined;
const ingestUrl = env.INGEST_URL || "http://127.0.0.1:8090";
const accountId = env.ACCOUNT_ID || `acc_${siteId}`;
const users = JSON.parse(env.USERS || JSON.stringify([
	{ login: "ann", id: "usr_1", email: "Ann.Lee@example.com", name: "Ann Lee" },
	{ login: "bob", id: "usr_2", email: "bob@example.com", name: "Bob Stone" },
]));
if (!widgetKey || !secret || !["jwt", "hmac_email"].includes(mode)) {
	console.error("backend: WIDGET_KEY, WIDGET_SECRET and WIDGET_MODE (jwt or hmac_email) are required");
	process.exit(2);
}

// The signing, exactly as the README's "Signing in customers' backends".
function widgetIdentity(user) {
	const email = user.email.trim().toLowerCase();
	if (mode === "hmac_email") {
		const emailHash = createHmac("sha256", Buffer.from(secret, "hex")).update(email).digest("hex");
		return { email: user.email, email_hash: emailHash, name: user.name };
	}
	const now = Math.floor(Date.now() / 1000);	// seconds, not Date.now()'s milliseconds
	const token = jwt.sign({
		email, name: user.name, account_external_id: accountId, contact_external_id: user.id,
		aud: widgetKey, iat: now, exp: now + 10 * 60,
	}, secret, { algorithm: "HS256", keyid: keyId });
	return { jwt: token };
}

// Sessions: cookie name per site, since cookies do not tell ports apart.
const cookieName = `${siteId}_session`;
const sessions = new Map();	// session id -> user
function sessionId(req) {
	for (const part of (req.headers.cookie || "").split(";")) {
		const [name, value] = part.trim().split("=");
		if (name === cookieName) return value;
	}
	return undefined;
}

const html = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// JSON inside <script>: no "</script>" can close it.
const scriptJson = (v) => JSON.stringify(v).replace(/</g, "\\u003c");

function page(user) {
	const head = `<!doctype html><html><head><meta charset="utf-8"><title>${html(siteName)}</title>
<style>body { font: 15px/1.5 system-ui, sans-serif; margin: 40px; color: #222; } h1 { margin-top: 0; }</style></head><body>
<h1>${html(siteName)}</h1>`;
	if (!user) return `${head}
<form method="post" action="/login"><label>User <input name="user" id="user" autocomplete="off"></label>
<button id="login">Log in</button></form>
<p>Users: ${users.map((u) => html(u.login)).join(", ")} (no password in this example).</p></body></html>`;
	return `${head}
<p id="who">Logged in as <b>${html(user.name)}</b> (${html(user.email.trim())})</p>
<form method="post" action="/logout"><button id="logout">Log out</button></form>
<script src="${html(ingestUrl)}/widget.js"></script>
<script>
WoesidWidget.boot({
	title: ${scriptJson(`${siteName} support`)},
	widgetKey: ${scriptJson(widgetKey)},
	identity: ${scriptJson(widgetIdentity(user))},
	refresh: async () => {
		const res = await fetch("/widget-identity", { credentials: "same-origin" });
		if (!res.ok) throw new Error("not logged in");
		return res.json();
	},
});
</script></body></html>`;
}

function readForm(req) {
	return new Promise((resolve, reject) => {
		let body = "";
		req.on("data", (c) => { body += c; if (body.length > 4096) req.destroy(); });
		req.on("end", () => resolve(new URLSearchParams(body)));
		req.on("error", reject);
	});
}

const server = createServer(async (req, res) => {
	const url = new URL(req.url, "http://localhost");
	const sid = sessionId(req);
	const user = sessions.get(sid);
	try {
		if (req.method === "GET" && url.pathname === "/") {
			res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
			return res.end(page(user));
		}
		if (req.method === "POST" && url.pathname === "/login") {
			const login = (await readForm(req)).get("user");
			const found = users.find((u) => u.login === login);
			if (!found) {
				res.writeHead(401, { "Content-Type": "text/plain" });
				return res.end("unknown user\n");
			}
			const newSid = randomBytes(18).toString("base64url");
			sessions.set(newSid, found);
			res.writeHead(303, { Location: "/", "Set-Cookie": `${cookieName}=${newSid}; Path=/; HttpOnly; SameSite=Lax` });
			return res.end();
		}
		if (req.method === "POST" && url.pathname === "/logout") {
			sessions.delete(sid);
			res.writeHead(303, { Location: "/", "Set-Cookie": `${cookieName}=; Path=/; Max-Age=0` });
			return res.end();
		}
		if (req.method === "GET" && url.pathname === "/widget-identity") {
			if (!user) {
				res.writeHead(401, { "Content-Type": "application/json" });
				return res.end(JSON.stringify({ error: "not logged in" }));
			}
			res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
			return res.end(JSON.stringify(widgetIdentity(user)));
		}
		res.writeHead(404, { "Content-Type": "text/plain" });
		res.end("not found\n");
	} catch (e) {
		console.error(`backend: ${e.message}`);
		res.writeHead(500, { "Content-Type": "text/plain" });
		res.end("internal error\n");
	}
});

server.listen(port, "127.0.0.1", () => console.log(`backend ${siteId}: listening on http://127.0.0.1:${port}`));
for (const sig of ["SIGTERM", "SIGINT"])
	process.on(sig, () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
