// examples/widget/ingest.mjs: the chat vendor's ingest service.
//   DATABASE_URL=postgres://widget_app@127.0.0.1:5432/widget_demo PORT=8090 node examples/widget/ingest.mjs
// Serves the widget script and two endpoints the widget calls from any
// customer's page (CORS open: the widget's own credential is the body, not a
// cookie):
//   POST /identify?key=PUBLIC_KEY   body: the identify payload, {jwt} or
//       {email, email_hash, name?}.  Inserts an identify event; the trigger
//       verifies it.  Answers {verified, failure, email}.
//   GET /history?key=PUBLIC_KEY     header X-Widget-Identity: the same
//       payload, base64url of its UTF-8 bytes.  In one transaction:
//       woesid_authenticate, then the conversation history, which the
//       row-level security policy cuts to the visitor's own rows of the
//       widget's workspace.  Answers {verified, failure, email, messages}.
// Connects as widget_app, a role that is neither a superuser nor the
// tables' owner: for those, row-level security does not apply.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../test/package.json", import.meta.url));
const { Pool } = require("pg");

const port = Number(process.env.PORT || 8090);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const widgetJs = readFileSync(new URL("widget.js", import.meta.url));
const MAX_BODY = 16 * 1024;

const cors = {
	"Access-Control-Allow-Origin": "*",
	"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
	"Access-Control-Allow-Headers": "Content-Type, X-Widget-Identity",
	"Access-Control-Max-Age": "600",
};

function send(res, status, type, body) {
	res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...cors });
	res.end(body);
}
const sendJson = (res, status, value) => send(res, status, "application/json", JSON.stringify(value));

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on("data", (c) => {
			size += c.length;
			if (size > MAX_BODY) {
				reject(Object.assign(new Error("body too large"), { status: 413 }));
				req.destroy();
			} else chunks.push(c);
		});
		req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
		req.on("error", reject);
	});
}

// The identify event: the trigger writes the server's verdict into identity.
async function identify(key, payload) {
	const { rows: [v] } = await pool.query(
		`INSERT INTO identify_event (public_key, payload) VALUES ($1, $2)
		 RETURNING (identity).verified, (identity).failure, (identity).email`,
		[key, payload]);
	return v;
}

// The history: authenticate and query in ONE transaction on ONE pooled
// connection.  Two pool.query calls would each run in autocommit, possibly
// on different connections, and the identity would be gone before the
// SELECT: it would return no rows, and no error.
async function history(key, payload) {
	const client = await pool.connect();
	try {
		await client.query("BEGIN");
		const { rows: [v] } = await client.query(
			"SELECT verified, failure, email FROM woesid_authenticate($1, $2)", [key, payload]);
		const { rows } = await client.query(
			`SELECT author, body, created_at FROM conversation ORDER BY created_at, id`);
		await client.query("COMMIT");
		return { ...v, messages: rows };
	} catch (e) {
		await client.query("ROLLBACK").catch(() => {});
		throw e;
	} finally {
		client.release();
	}
}

const server = createServer(async (req, res) => {
	const url = new URL(req.url, "http://localhost");
	const key = url.searchParams.get("key");
	try {
		if (req.method === "OPTIONS") return send(res, 204, "text/plain", "");
		if (req.method === "GET" && url.pathname === "/widget.js")
			return send(res, 200, "text/javascript; charset=utf-8", widgetJs);
		if (req.method === "POST" && url.pathname === "/identify") {
			if (!key) return sendJson(res, 400, { error: "key missing" });
			const v = await identify(key, await readBody(req));
			return sendJson(res, v.verified ? 200 : 401, v);
		}
		if (req.method === "GET" && url.pathname === "/history") {
			const header = req.headers["x-widget-identity"];
			if (!key || !header) return sendJson(res, 400, { error: "key or identity missing" });
			const payload = Buffer.from(header, "base64url").toString("utf8");
			const h = await history(key, payload);
			return sendJson(res, h.verified ? 200 : 401, h);
		}
		return sendJson(res, 404, { error: "not found" });
	} catch (e) {
		// Not the visitor's fault (woesid never raises for what a visitor
		// sends): a database or server fault.  Log it, say nothing more.
		if (e.status) return sendJson(res, e.status, { error: e.message });
		console.error(`ingest: ${req.method} ${url.pathname}: ${e.message}`);
		return sendJson(res, 500, { error: "internal error" });
	}
});

server.listen(port, "127.0.0.1", () => console.log(`ingest: listening on http://127.0.0.1:${port}`));
for (const sig of ["SIGTERM", "SIGINT"])
	process.on(sig, () => {
		server.close(() => pool.end().then(() => process.exit(0)));
		server.closeAllConnections();
	});
