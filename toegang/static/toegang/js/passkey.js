/*
 * Passkeys (WebAuthn) for the login's second step and the account page.
 *
 * A form with data-passkey="registreren" or "inloggen" holds a hidden input
 * "credential". Its button asks the browser (navigator.credentials.create/get)
 * with the options the server put in the page as JSON (#passkey-opties), writes
 * the answer as JSON into the hidden input and submits the form: the server
 * checks it (toegang/identity/passkeys.py). Binary fields travel as base64url.
 */
(function () {
  "use strict";

  function fromB64url(value) {
    var b64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type, id: fromB64url(d.id), transports: d.transports };
    });
  }

  function creationOptions(opts) {
    opts.challenge = fromB64url(opts.challenge);
    opts.user.id = fromB64url(opts.user.id);
    opts.excludeCredentials = descriptors(opts.excludeCredentials);
    return { publicKey: opts };
  }

  function requestOptions(opts) {
    opts.challenge = fromB64url(opts.challenge);
    opts.allowCredentials = descriptors(opts.allowCredentials);
    return { publicKey: opts };
  }

  function asJSON(cred) {
    var r = cred.response;
    var response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      response.userHandle = r.userHandle ? toB64url(r.userHandle) : null;
    }
    return JSON.stringify({
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      response: response,
      authenticatorAttachment: cred.authenticatorAttachment || null,
      clientExtensionResults: cred.getClientExtensionResults(),
    });
  }

  function start(form) {
    var status = form.querySelector("[data-passkey-status]");
    var button = form.querySelector("[data-passkey-start]");
    var source = document.getElementById("passkey-opties");
    function say(text) { if (status) { status.textContent = text; } }

    if (!window.PublicKeyCredential || !navigator.credentials || !source) {
      button.disabled = true;
      say(form.dataset.passkeyUnsupported || "");
      return;
    }
    button.addEventListener("click", function () {
      var opts = JSON.parse(source.textContent);
      var ask = form.dataset.passkey === "registreren"
        ? navigator.credentials.create(creationOptions(opts))
        : navigator.credentials.get(requestOptions(opts));
      button.disabled = true;
      say(form.dataset.passkeyBusy || "");
      ask.then(function (cred) {
        form.querySelector("input[name=credential]").value = asJSON(cred);
        form.submit();
      }).catch(function () {
        button.disabled = false;
        say(form.dataset.passkeyCancelled || "");
      });
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(start);
})();
