/// The web page's files, built into the binary: no build toolchain, nothing loaded from elsewhere,
/// so the page works offline and behind Home Assistant's ingress. Every URL in them is relative.
enum WebPageAssets {
    /// The page; `{{BASE}}` and `{{CSRF}}` are filled in per request (`WebPage.html`).
    static let html = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        {{BASE}}<meta name="csrf-token" content="{{CSRF}}">
        <title>ckw2mqtt</title>
        <link rel="stylesheet" href="style.css">
        <script src="app.js" defer></script>
        </head>
        <body>
        <header><h1>ckw2mqtt</h1><span id="version" class="muted"></span></header>
        <main>
        <p id="access-note" class="note" hidden></p>
        <p id="message" role="alert" hidden></p>
        <section id="login-section">
          <h2>CKW login</h2>
          <p><span id="login-state" class="pill">Loading…</span> <span id="login-detail" class="muted"></span></p>
          <p id="notice" class="note" hidden></p>
          <div class="actions">
            <button id="login-button" type="button" hidden>Log in to CKW</button>
            <button id="logout-button" type="button" class="secondary" hidden>Log out</button>
          </div>
          <div id="logout-confirm" class="card" hidden>
            <p>Log out of CKW? The bridge stops fetching until someone logs in again. The meters' totals are kept.</p>
            <div class="actions">
              <button id="logout-yes" type="button" class="danger">Yes, log out</button>
              <button id="logout-no" type="button" class="secondary">Cancel</button>
            </div>
          </div>
          <div id="login-step" class="card" hidden>
            <ol>
              <li>Open <a id="login-link" href="#" target="_blank" rel="noopener noreferrer">the CKW login page</a> and log in with the CKW account that has the meter.</li>
              <li id="callback-step">CKW then sends you back to this page, and the login completes by itself.</li>
              <li id="paste-step">The browser then shows an address starting with <code id="redirect-uri"></code>
                (that page may not load; that is expected). Copy the whole address from the address bar and paste it here:
                <form id="paste-form">
                  <input id="address" type="text" inputmode="url" autocomplete="off" spellcheck="false" aria-label="The address after the login" placeholder="…/callback?state=…&amp;code=…">
                  <button id="complete-button" type="submit">Complete login</button>
                </form>
              </li>
            </ol>
          </div>
        </section>
        <section>
          <h2>Metering points</h2>
          <div id="meters"><p class="muted">None yet.</p></div>
        </section>
        <section>
          <h2>Bridge</h2>
          <dl>
            <dt>Last successful fetch</dt><dd id="last-fetch">–</dd>
            <dt>Next fetch</dt><dd id="next-fetch">–</dd>
            <dt>CKW requests</dt><dd id="requests">–</dd>
            <dt>MQTT broker</dt><dd id="mqtt">–</dd>
            <dt>Last error</dt><dd id="last-error">–</dd>
          </dl>
          <div class="actions"><button id="fetch-button" type="button" hidden>Fetch now</button></div>
        </section>
        </main>
        <footer id="updated" class="muted"></footer>
        </body>
        </html>

        """#

    static let css = #"""
        :root { color-scheme: light dark; --accent: #0a6ebd; --ok: #1b7f3b; --bad: #b3261e; --warn: #8a5a00;
          --card: rgba(127,127,127,.08); --line: rgba(127,127,127,.3); }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        header, main, footer { max-width: 46rem; margin: 0 auto; padding: 0 1rem; }
        header { display: flex; align-items: baseline; gap: .75rem; padding-top: .75rem; }
        h1 { font-size: 1.4rem; margin: .25rem 0; }
        h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
        .muted { opacity: .7; font-size: .9rem; }
        .pill { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; font-weight: 600; background: var(--card); }
        .pill.ok { background: var(--ok); color: #fff; }
        .pill.bad { background: var(--bad); color: #fff; }
        .pill.warn { background: var(--warn); color: #fff; }
        .note { background: var(--card); border-left: 4px solid var(--warn); padding: .5rem .75rem; }
        #message { padding: .5rem .75rem; border-left: 4px solid var(--bad); background: var(--card); }
        #message.success { border-left-color: var(--ok); }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: .75rem 0; }
        .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
        button { font: inherit; padding: .55rem 1rem; border-radius: .4rem; border: 1px solid var(--accent);
          background: var(--accent); color: #fff; cursor: pointer; min-height: 2.75rem; }
        button.secondary { background: transparent; color: inherit; border-color: var(--line); }
        button.danger { background: var(--bad); border-color: var(--bad); }
        button:disabled { opacity: .5; cursor: not-allowed; }
        form { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
        input { font: inherit; flex: 1 1 16rem; min-width: 0; padding: .5rem; border: 1px solid var(--line); border-radius: .4rem; }
        code { word-break: break-all; }
        ol { padding-left: 1.25rem; margin: 0; }
        li { margin: .35rem 0; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
        dt { font-weight: 600; }
        dd { margin: 0; overflow-wrap: anywhere; }
        .meter h3 { font-size: 1rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
        .values { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .5rem; }
        .value span { display: block; font-size: .8rem; opacity: .75; }
        .value strong { font-size: 1.15rem; font-variant-numeric: tabular-nums; }
        footer { padding-bottom: 1.5rem; margin-top: 1.5rem; }
        @media (max-width: 30rem) { dl { grid-template-columns: 1fr; } dd { margin-bottom: .4rem; } }

        """#

    static let javaScript = #"""
        "use strict";
        (() => {
          const REFRESH_MILLISECONDS = 5000;
          const csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
          const $ = (id) => document.getElementById(id);
          let loginStartedWith = null;

          const show = (element, visible) => { element.hidden = !visible; };
          const message = (text, kind) => {
            const box = $("message");
            box.textContent = text || "";
            box.className = kind || "";
            show(box, Boolean(text));
          };
          const time = (iso) => iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "–";
          const clock = (iso) => iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "–";
          const kilowattHours = (value) => value == null ? "–" : `${value.toFixed(3)} kWh`;
          const watts = (value) => value == null ? "–" : `${value} W`;

          async function post(path, body) {
            const response = await fetch(path, {
              method: "POST",
              credentials: "same-origin",
              headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
              body: JSON.stringify(body || {}),
            });
            let answer = {};
            try { answer = await response.json(); } catch (ignored) { answer = {}; }
            if (!response.ok) throw new Error(answer.error || `The bridge answered with HTTP ${response.status}.`);
            return answer;
          }

          const LOGIN_STATES = {
            logged_in: ["Logged in", "ok"],
            checking: ["Logged in, checking with CKW…", "warn"],
            expired: ["Login expired", "bad"],
            logged_out: ["Not logged in", "bad"],
            app_credentials: ["App credentials (backend mode)", "ok"],
            unreadable: ["Login unreadable", "bad"],
          };

          function renderLogin(status) {
            const login = status.login;
            const [text, kind] = LOGIN_STATES[login.state] || [login.state, ""];
            const state = $("login-state");
            state.textContent = text;
            state.className = `pill ${kind}`;
            $("login-detail").textContent = login.problem || (login.obtained_at ? `since ${time(login.obtained_at)}` : "");
            const clientMode = login.state !== "app_credentials";
            show($("login-button"), clientMode);
            $("login-button").textContent = login.state === "logged_in" ? "Log in again" : "Log in to CKW";
            show($("logout-button"), clientMode && login.state !== "logged_out");
            if (!clientMode || login.state === "logged_out") show($("logout-confirm"), false);
            show($("notice"), Boolean(status.notice));
            $("notice").textContent = status.notice || "";
            const finished = loginStartedWith !== null && login.obtained_at && login.obtained_at !== loginStartedWith.obtained_at
              && (login.state === "logged_in" || login.state === "checking");
            if (finished) {
              loginStartedWith = null;
              show($("login-step"), false);
              message("Logged in. The bridge fetches the meter data now.", "success");
            }
          }

          function value(label, text, field) {
            return `<div class="value"><span>${label}</span><strong data-field="${field}">${text}</strong></div>`;
          }

          function escapeHTML(text) {
            return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
          }

          function renderMeters(meters) {
            const container = $("meters");
            if (!meters.length) {
              container.innerHTML = '<p class="muted">None yet.</p>';
              return;
            }
            container.innerHTML = meters.map((meter) => {
              const title = escapeHTML(meter.label || (meter.meter_number ? `Meter ${meter.meter_number}` : "Meter"));
              const values = [];
              if (meter.import_total_kwh != null) values.push(value("Grid import total", kilowattHours(meter.import_total_kwh), "import_total"));
              if (meter.export_total_kwh != null) values.push(value("Grid export total", kilowattHours(meter.export_total_kwh), "export_total"));
              if (meter.import_power_w != null) values.push(value("Import, last interval", watts(meter.import_power_w), "import_power"));
              if (meter.export_power_w != null) values.push(value("Export, last interval", watts(meter.export_power_w), "export_power"));
              const interval = meter.interval_end
                ? `${time(meter.interval_start)} – ${clock(meter.interval_end)}${meter.quality && meter.quality !== "measured" ? ` (${escapeHTML(meter.quality)})` : ""}`
                : "none yet";
              return `<div class="card meter" data-metering-point="${escapeHTML(meter.id)}">
                <h3>${title} <span class="pill ${meter.available ? "ok" : "bad"}">${meter.available ? "online" : "offline"}</span></h3>
                <p class="muted">${escapeHTML(meter.id)}</p>
                <div class="values">${values.join("")}</div>
                <p class="muted">Last interval: <span data-field="interval">${interval}</span> · requests in the last 24 h: ${meter.requests_last_day}</p>
              </div>`;
            }).join("");
          }

          function renderBridge(status) {
            $("version").textContent = status.version ? `version ${status.version}` : "";
            $("last-fetch").textContent = time(status.last_successful_fetch);
            $("next-fetch").textContent = time(status.next_planned_fetch);
            const rate = status.rate_limit || {};
            $("requests").textContent = rate.remaining != null
              ? `${rate.remaining}${rate.limit != null ? ` of ${rate.limit}` : ""} left${rate.used != null ? ` (${rate.used} used)` : ""}${rate.reset ? `, more from ${time(rate.reset)}` : ""}`
              : "CKW has not reported a limit yet";
            $("mqtt").textContent = status.mqtt_connected ? "connected" : "not connected";
            $("last-error").textContent = status.last_error || "none";
            for (const id of ["login-button", "logout-button", "fetch-button", "complete-button", "logout-yes"]) {
              $(id).disabled = !status.can_act;
            }
            show($("fetch-button"), status.login.state !== "logged_out");
            show($("access-note"), !status.can_act);
            $("access-note").textContent = status.access_note || "";
          }

          let lastStatus = null;
          async function refresh() {
            try {
              const response = await fetch("api/status", { cache: "no-store", credentials: "same-origin" });
              if (!response.ok) throw new Error(`HTTP ${response.status}`);
              const status = await response.json();
              lastStatus = status;
              renderLogin(status);
              renderMeters(status.meters || []);
              renderBridge(status);
              $("updated").textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every ${REFRESH_MILLISECONDS / 1000} s.`;
            } catch (error) {
              $("updated").textContent = `Cannot reach the bridge (${error.message}); trying again.`;
            }
          }

          $("login-button").addEventListener("click", async () => {
            message("");
            try {
              const answer = await post("api/login");
              $("login-link").href = answer.login_url;
              $("redirect-uri").textContent = answer.redirect_uri.split("?")[0];
              const returnsHere = answer.redirect_uri.split("?")[0] === new URL("callback", document.baseURI).href;
              show($("callback-step"), returnsHere);
              show($("paste-step"), !returnsHere);
              show($("login-step"), true);
              loginStartedWith = { obtained_at: lastStatus ? lastStatus.login.obtained_at : null };
            } catch (error) {
              message(error.message);
            }
          });

          $("paste-form").addEventListener("submit", async (event) => {
            event.preventDefault();
            message("");
            try {
              await post("api/login/complete", { address: $("address").value });
              $("address").value = "";
              loginStartedWith = null;
              show($("login-step"), false);
              message("Logged in. The bridge fetches the meter data now.", "success");
            } catch (error) {
              message(error.message);
            }
            refresh();
          });

          $("logout-button").addEventListener("click", () => { message(""); show($("logout-confirm"), true); });
          $("logout-no").addEventListener("click", () => show($("logout-confirm"), false));
          $("logout-yes").addEventListener("click", async () => {
            show($("logout-confirm"), false);
            try {
              const answer = await post("api/logout");
              message(answer.message, "success");
            } catch (error) {
              message(error.message);
            }
            refresh();
          });

          $("fetch-button").addEventListener("click", async () => {
            message("");
            try {
              const answer = await post("api/fetch");
              message(answer.message, "success");
            } catch (error) {
              message(error.message);
            }
            setTimeout(refresh, 1000);
          });

          refresh();
          setInterval(refresh, REFRESH_MILLISECONDS);
        })();

        """#
}
