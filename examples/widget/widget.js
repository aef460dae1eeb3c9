// examples/widget/widget.js: the chat widget, served by the vendor's ingest
// service and loaded by each customer's page:
//   <script src="https://ingest.example/widget.js"></script>
//   <script>
//     WoesidWidget.boot({
//       widgetKey: "wpk_acme",
//       identity: {jwt: "..."},             // or {email, email_hash, name}: signed by the customer's backend
//       refresh: () => fetch("/widget-identity").then((r) => r.json()),   // a fresh one, on `expired`
//     });
//   </script>
// It sends the identity exactly as the customer's backend made it: POST
// /identify with the payload as the body, then GET /history with the same
// payload in the X-Widget-Identity header.  When the ingest service answers
// `expired` (a token older than its 10 minutes: a long chat, a page left
// open), it asks the customer's backend for a fresh identity and tries once
// more.  Any other failure is final: the widget shows no history.
// Nothing here is trusted by the server; a visitor can change all of it.
(function () {
	"use strict";
	const ingest = new URL(document.currentScript.src).origin;
	let config = null;
	let identity = null;
	let generation = 0;
	let root, statusLine, list;

	function base64url(text) {
		let binary = "";
		for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
		return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
	}

	async function call(endpoint, body) {
		const url = `${ingest}/${endpoint}?key=${encodeURIComponent(config.widgetKey)}`;
		const res = endpoint === "identify"
			? await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body })
			: await fetch(url, { headers: { "X-Widget-Identity": base64url(body) } });
		if (res.status >= 500) throw new Error(`ingest service: HTTP ${res.status}`);
		return res.json();	// the verdict, on 200 and 401 alike
	}

	// One call with the current identity; on `expired`, one refresh and retry.
	async function withIdentity(endpoint) {
		let result = await call(endpoint, JSON.stringify(identity));
		if (result.failure === "expired" && config.refresh) {
			identity = await config.refresh();
			result = await call(endpoint, JSON.stringify(identity));
		}
		return result;
	}

	function render(state, text, messages) {
		root.dataset.state = state;
		statusLine.textContent = text;
		list.replaceChildren(...messages.map((m) => {
			const li = document.createElement("li");
			li.className = `woesid-msg woesid-${m.author}`;
			li.dataset.author = m.author;
			li.textContent = m.body;
			return li;
		}));
	}

	// Identifies, then loads the history: the server alone decides what it
	// shows, so the history is asked for even when identify failed.
	async function load() {
		const mine = ++generation;
		root.dataset.state = "loading";
		delete root.dataset.failure;
		statusLine.textContent = "Connecting…";
		try {
			const verdict = await withIdentity("identify");
			const history = await withIdentity("history");
			if (mine !== generation) return;
			const failure = history.failure || verdict.failure;
			if (history.verified && verdict.verified) {
				render("verified", `Signed in as ${history.email}`, history.messages);
			} else {
				root.dataset.failure = failure;
				render("unverified", `Not verified (${failure}): no history`, history.messages || []);
			}
		} catch (e) {
			if (mine !== generation) return;
			render("error", `Chat unavailable: ${e.message}`, []);
		}
	}

	function mount(title) {
		const style = document.createElement("style");
		style.textContent = `
			#woesid-widget { position: fixed; right: 24px; bottom: 24px; width: 320px;
				font: 14px/1.4 system-ui, sans-serif; background: #fff; border-radius: 12px;
				box-shadow: 0 6px 24px rgba(0,0,0,.18); overflow: hidden; }
			#woesid-widget header { background: #3b5bdb; color: #fff; padding: 10px 14px; font-weight: 600; }
			#woesid-widget .woesid-status { padding: 6px 14px; font-size: 12px; color: #555; border-bottom: 1px solid #eee; }
			#woesid-widget[data-state=unverified] .woesid-status { color: #c92a2a; }
			#woesid-widget ol { list-style: none; margin: 0; padding: 10px 14px; min-height: 80px; }
			#woesid-widget li { margin: 6px 0; padding: 6px 10px; border-radius: 10px; max-width: 85%; }
			#woesid-widget .woesid-visitor { background: #e7f5ff; margin-left: auto; }
			#woesid-widget .woesid-agent { background: #f1f3f5; }`;
		document.head.append(style);
		root = document.createElement("div");
		root.id = "woesid-widget";
		const header = document.createElement("header");
		header.textContent = title;
		statusLine = document.createElement("div");
		statusLine.className = "woesid-status";
		list = document.createElement("ol");
		list.className = "woesid-messages";
		root.append(header, statusLine, list);
		document.body.append(root);
	}

	window.WoesidWidget = {
		boot(options) {
			config = options;
			identity = options.identity;
			mount(options.title || "Chat with us");
			return load();
		},
		// The page (or a visitor in the console) hands the widget another
		// identity, e.g. after a login.
		update(newIdentity) {
			identity = newIdentity;
			return load();
		},
		identity: () => identity,
	};
})();
