/*
 * "Nieuw signaal": small progressive enhancement. The form works without it.
 * - zonder toestemming: hide and disable the identifying fields (so they are not sent)
 *   and say why; warme overdracht: show the contact route; otherwise hide it.
 * - a safety concern marks the signal urgent.
 * - after a failed post, move focus to the error summary.
 */
(function () {
  "use strict";
  var form = document.getElementById("signaal-formulier");
  if (!form) { return; }
  var blok = form.querySelector("[data-identificerend-velden]");
  var melding = form.querySelector("[data-alleen-zonder]");
  var warm = form.querySelector("[data-alleen-warm]");
  var zonderJs = form.querySelectorAll("[data-zonder-js]");
  for (var i = 0; i < zonderJs.length; i++) { zonderJs[i].hidden = true; }

  function keuze() {
    var checked = form.querySelector('input[name="toestemming"]:checked');
    return checked ? checked.value : "";
  }

  function toon() {
    var mode = keuze();
    var anoniem = mode === "zonder_toestemming";
    if (blok) {
      blok.hidden = anoniem;
      var velden = blok.querySelectorAll("input, textarea, select");
      for (var j = 0; j < velden.length; j++) { velden[j].disabled = anoniem; }
    }
    if (melding) { melding.hidden = !anoniem; }
    if (warm) {
      var toonWarm = mode === "warme_overdracht" || (warm.querySelector("textarea") || {}).value;
      warm.hidden = !toonWarm;
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "toestemming") { toon(); }
    if (event.target.name === "veiligheid" && event.target.checked) {
      var urgent = form.querySelector('input[name="urgentie"][value="urgent"]');
      if (urgent) { urgent.checked = true; }
    }
  });
  toon();

  var summary = document.getElementById("fouten");
  if (summary) { summary.focus(); }
})();
