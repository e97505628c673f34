/*
 * Live updates for the Brede Toegang pages (plain JS, no build step).
 *
 * Connects to /ws/, shows the connection state in #live-status, reconnects with
 * exponential backoff and jitter and catches up from the last event id it saw
 * (sessionStorage). Close code 4503 means the server's channel layer is away for a
 * while: the page says "live bijwerken tijdelijk niet beschikbaar" and retries at
 * most every 5 s.
 * On an event it
 *   - dispatches a DOM CustomEvent "live:<event type>" on document.body,
 *   - triggers "live-refresh" (htmx) on elements whose data-live-refresh lists
 *     "<event type>", "<aggregate type>:<id>" or "<aggregate type>:*",
 *   - writes a short Dutch notification into an aria-live region.
 * The page re-fetches fragments over HTTP, so every read is permission-checked.
 * Presence: an element with data-live-watch="casus:<id>" is watched; the names of
 * colleagues with the same object open go into [data-live-presence="casus:<id>"].
 * A live re-fetch that fails (no access any more, server away) shows one plain
 * "niet meer actueel" notice with a button to load the page again.
 * Messages carry ids only; see docs/events.md for the protocol.
 * The connected state is said in words ("Deze pagina werkt zichzelf bij") only where
 * <body data-live-indicator> asks for it (roles that work with live pages); a broken
 * connection is said to everyone. Right after the user's own action (a success
 * message on the page) the notices of that action are not echoed back.
 */
(function () {
  "use strict";

  if (!("WebSocket" in window) || window.__bredeToegangLive) { return; }
  window.__bredeToegangLive = true;

  var CURSOR_KEY = "bt-live-cursor";
  var SEEN_KEY = "bt-live-seen";
  var SEEN_MAX = 200;
  var BACKOFF_MIN = 1000;
  var BACKOFF_MAX = 30000;
  var CLOSE_UNAVAILABLE = 4503;
  var UNAVAILABLE_BACKOFF_MAX = 5000;
  var OWN_ACTION_QUIET_MS = 5000;
  var CONNECTED_TEXT = "Deze pagina werkt zichzelf bij";
  // The page after the user's own action says what happened; its events need no echo.
  var quietUntil = document.querySelector(".messages .message-success") ? Date.now() + OWN_ACTION_QUIET_MS : 0;

  var TEXTS = {
    "signaal.ontvangen": "Nieuw signaal ontvangen",
    "signaal.toegewezen": "Signaal toegewezen",
    "signaal.gekoppeld": "Signaal gekoppeld aan een casus",
    "signaal.status_gewijzigd": "Status van een signaal gewijzigd",
    "casus.geopend": "Nieuwe casus geopend",
    "casus.aanspreekpunt_gewijzigd": "Aanspreekpunt van een casus gewijzigd",
    "casus.bijgewerkt": "Casus bijgewerkt",
    "casus.gesloten": "Casus gesloten",
    "betrokkene.toegevoegd": "Betrokkene toegevoegd aan een casus",
    "betrokkene.verlopen": "Toegang van een betrokkene verlopen",
    "betrokkene.ingetrokken": "Toegang van een betrokkene ingetrokken",
    "noodtoegang.gestart": "Noodtoegang gestart voor een casus",
    "plan.bijgewerkt": "Plan bijgewerkt",
    "huishouden.vernietigd": "Gegevens van een huishouden vernietigd",
    "overleg.agenda_gepubliceerd": "Agenda van het overleg gepubliceerd",
    "overleg.huidig_punt_gewijzigd": "Het overleg bespreekt een ander agendapunt",
    "overleg.afspraak_vastgelegd": "Afspraak vastgelegd in het overleg"
  };

  var statusEl = document.getElementById("live-status");
  var socket = null;
  var attempt = 0;
  var everOpened = false;
  var wasDown = false;
  var catching = false;
  var cursor = readInt(CURSOR_KEY);
  var seen = readSeen();
  var pendingNotes = [];
  var noteTimer = null;
  var ackTimer = null;
  var acks = [];

  function readInt(key) {
    try { var v = parseInt(window.sessionStorage.getItem(key), 10); return isNaN(v) ? null : v; }
    catch (e) { return null; }
  }
  function readSeen() {
    try { return JSON.parse(window.sessionStorage.getItem(SEEN_KEY)) || []; } catch (e) { return []; }
  }
  function store(key, value) {
    try { window.sessionStorage.setItem(key, typeof value === "string" ? value : JSON.stringify(value)); }
    catch (e) { /* private mode: live updates still work, catch-up starts fresh */ }
  }
  function setCursor(value) {
    if (typeof value !== "number") { return; }
    if (cursor === null || value > cursor) { cursor = value; store(CURSOR_KEY, String(value)); }
  }
  function remember(eventId) {
    if (seen.indexOf(eventId) !== -1) { return false; }
    seen.push(eventId);
    if (seen.length > SEEN_MAX) { seen = seen.slice(-SEEN_MAX); }
    store(SEEN_KEY, seen);
    return true;
  }

  // -- status and notifications ----------------------------------------------------

  function showState(state, text) {
    if (!statusEl) { return; }
    statusEl.setAttribute("data-state", state);
    if (state === "connected" && !text) {
      // Only roles that benefit get the indicator; for others an empty bar (hidden).
      statusEl.textContent = document.body.hasAttribute("data-live-indicator") ? CONNECTED_TEXT : "";
      return;
    }
    if (!statusEl.querySelector(".live-text")) { statusEl.textContent = ""; }
    var dot = statusEl.querySelector(".live-dot");
    if (!dot) {
      dot = document.createElement("span");
      dot.className = "live-dot";
      dot.setAttribute("aria-hidden", "true");
      statusEl.appendChild(dot);
    }
    dot.textContent = state === "connected" ? "●" : "○";
    var msg = statusEl.querySelector(".live-text");
    if (!msg) { msg = document.createElement("span"); msg.className = "live-text"; statusEl.appendChild(msg); }
    msg.textContent = text || "";
  }

  function noticeRegion() {
    var region = document.getElementById("live-meldingen");
    if (!region) {
      region = document.createElement("div");
      region.id = "live-meldingen";
      region.className = "live-meldingen";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.setAttribute("aria-atomic", "true");
      var main = document.getElementById("inhoud") || document.body;
      main.insertBefore(region, main.firstChild);
    }
    return region;
  }

  function notify(text) {
    if (Date.now() < quietUntil) { return; }
    pendingNotes.push(text);
    if (noteTimer) { return; }
    // Several events in a burst become one calm announcement.
    noteTimer = window.setTimeout(function () {
      var unique = pendingNotes.filter(function (t, i) { return pendingNotes.indexOf(t) === i; });
      var message = pendingNotes.length === 1 ? unique[0]
        : pendingNotes.length + " wijzigingen: " + unique.join(", ").toLowerCase();
      pendingNotes = [];
      noteTimer = null;
      noticeRegion().textContent = message + ".";
    }, 800);
  }

  // -- refreshing ------------------------------------------------------------------

  function matches(el, event) {
    var tokens = (el.getAttribute("data-live-refresh") || "").split(/\s+/);
    return tokens.indexOf(event.type) !== -1 ||
      tokens.indexOf(event.aggregate_type + ":" + event.id) !== -1 ||
      tokens.indexOf(event.aggregate_type + ":*") !== -1;
  }

  function refresh(el, detail) {
    if (window.htmx && typeof window.htmx.trigger === "function") {
      window.htmx.trigger(el, "live-refresh", detail);
    } else {
      el.dispatchEvent(new CustomEvent("live-refresh", { detail: detail, bubbles: true }));
    }
  }

  // A re-fetch because an event arrived is not the user's doing: the header tells the
  // server not to count it as activity, so a page left open still reaches the idle
  // timeout (docs/security.md, "Sessions").
  document.body.addEventListener("htmx:configRequest", function (ev) {
    var trigger = ev.detail && ev.detail.triggeringEvent;
    if (trigger && trigger.type === "live-refresh") { ev.detail.headers["X-Live-Refresh"] = "1"; }
  });

  function refreshAll() {
    var els = document.querySelectorAll("[data-live-refresh]");
    for (var i = 0; i < els.length; i++) { refresh(els[i], { resync: true }); }
  }

  function handleEvent(event) {
    if (!remember(event.event_id)) { return; }
    if (!catching) { setCursor(event.event_id); }
    queueAck(event.event_id);
    document.body.dispatchEvent(new CustomEvent("live:" + event.type, { detail: event }));
    var hit = false;
    var els = document.querySelectorAll("[data-live-refresh]");
    for (var i = 0; i < els.length; i++) {
      if (matches(els[i], event)) { refresh(els[i], event); hit = true; }
    }
    if (hit || document.body.hasAttribute("data-live-notify-all")) {
      notify(TEXTS[event.type] || "Er is iets gewijzigd");
    }
  }

  function queueAck(eventId) {
    acks.push(eventId);
    if (ackTimer) { return; }
    ackTimer = window.setTimeout(function () {
      send({ action: "ack", event_ids: acks });
      acks = [];
      ackTimer = null;
    }, 1000);
  }

  // -- out of date ------------------------------------------------------------------

  // A part that could not be re-fetched (no access any more, server away) leaves the
  // page stale: say so plainly, with one button to load the page again.
  function showStale(reason) {
    if (document.getElementById("live-verouderd")) { return; }
    var box = document.createElement("div");
    box.id = "live-verouderd";
    box.className = "message message-error live-verouderd";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = "Deze pagina is niet meer actueel: " +
      (reason || "er is iets gewijzigd dat niet kon worden bijgewerkt.");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Pagina verversen";
    button.addEventListener("click", function () { window.location.reload(); });
    box.appendChild(text);
    box.appendChild(button);
    var main = document.getElementById("inhoud") || document.body;
    main.insertBefore(box, main.firstChild);
  }

  function onRefreshFailed(ev) {
    var elt = ev.detail && ev.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-live-refresh")) { showStale(); }
  }
  document.body.addEventListener("htmx:responseError", onRefreshFailed);
  document.body.addEventListener("htmx:sendError", onRefreshFailed);

  // -- presence ----------------------------------------------------------------------

  function watchTargets() {
    var els = document.querySelectorAll("[data-live-watch]");
    var targets = [];
    for (var i = 0; i < els.length; i++) {
      var parts = els[i].getAttribute("data-live-watch").split(":");
      if (parts.length === 2) { targets.push({ aggregate_type: parts[0], id: parts[1] }); }
    }
    return targets;
  }

  function showPresence(msg) {
    var key = msg.aggregate_type + ":" + msg.id;
    var els = document.querySelectorAll('[data-live-presence="' + key + '"]');
    var names = (msg.users || []).map(function (u) { return u.naam; });
    var text = names.length ? "Ook open bij: " + names.join(", ") : "";
    for (var i = 0; i < els.length; i++) {
      els[i].textContent = text;
      els[i].hidden = !text;
    }
  }

  // -- the socket --------------------------------------------------------------------

  function send(obj) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(obj)); }
  }

  function onMessage(raw) {
    var msg;
    try { msg = JSON.parse(raw.data); } catch (e) { return; }
    switch (msg.type) {
      case "live.hello":
        if (cursor === null) { setCursor(msg.event_id); break; }
        catching = true;
        if (seen.length) { send({ action: "ack", event_ids: seen }); }
        send({ action: "catch_up", after: cursor });
        break;
      case "live.caught_up":
        catching = false;
        setCursor(Math.max(msg.event_id, seen.length ? Math.max.apply(null, seen) : 0));
        break;
      case "live.resync":
        catching = false;
        setCursor(msg.event_id);
        refreshAll();
        notify("Er is veel gewijzigd; de pagina is bijgewerkt");
        break;
      case "presence":
        showPresence(msg);
        break;
      case "live.revoked":
        showPresence({ aggregate_type: msg.aggregate_type, id: msg.id, users: [] });
        document.body.dispatchEvent(new CustomEvent("live:revoked", { detail: msg }));
        showStale("uw toegang tot deze casus is beëindigd.");
        break;
      case "live.watch_denied":
      case "live.error":
        break;
      default:
        if (typeof msg.event_id === "number") { handleEvent(msg); }
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/");
    socket.onopen = function () {
      attempt = 0;
      showState("connected", wasDown ? "Verbinding hersteld; gemiste wijzigingen worden opgehaald." : "");
      wasDown = false;
      everOpened = true;
      var targets = watchTargets();
      for (var i = 0; i < targets.length; i++) {
        send({ action: "watch", aggregate_type: targets[i].aggregate_type, id: targets[i].id });
      }
    };
    socket.onmessage = onMessage;
    socket.onclose = function (ev) {
      socket = null;
      catching = false;
      if (ev.code === 4401 || ev.code === 4403) {
        showState("closed", "Live-updates gestopt. Log opnieuw in om ze weer te krijgen.");
        return;
      }
      scheduleReconnect(ev.code === CLOSE_UNAVAILABLE);
    };
  }

  // After 4503 (the server's message bus is away) retry sooner: it is usually back within
  // seconds, and the catch-up on reconnect fetches what was missed meanwhile.
  function scheduleReconnect(unavailable) {
    attempt += 1;
    var cap = unavailable ? UNAVAILABLE_BACKOFF_MAX : BACKOFF_MAX;
    var delay = Math.min(cap, BACKOFF_MIN * Math.pow(2, attempt - 1));
    delay = Math.round(delay * (0.8 + Math.random() * 0.4));
    var seconds = Math.max(1, Math.round(delay / 1000));
    var wait = "Opnieuw verbinden over " + seconds + (seconds === 1 ? " seconde." : " seconden.");
    if (unavailable) {
      wasDown = true;
      showState("unavailable", "Live bijwerken tijdelijk niet beschikbaar. " + wait);
    } else if (everOpened || attempt > 1) {
      wasDown = true;
      showState("reconnecting", "Verbinding met live-updates verbroken. " + wait);
    }
    window.setTimeout(connect, delay);
  }

  window.addEventListener("online", function () {
    if (!socket) { attempt = 0; connect(); }
  });
  window.addEventListener("pagehide", function () {
    if (socket) { socket.onclose = null; socket.close(1000); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
