// A classic Mizu WebPhone integration: webphone_api calls and callbacks only.
/* global webphone_api */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  webphone_api.onAppStateChange(function (state) {
    if (state === "started") $("status").textContent = "Ready";
  });
  webphone_api.onRegStateChange(function (state, reason) {
    $("regstate").textContent = state + (reason ? " (" + reason + ")" : "");
  });
  webphone_api.onCallStateChange(function (event, direction, peername, peerdisplayname, line, callid) {
    $("callstate").textContent = event + " " + (direction === 1 ? "to" : "from") + " " + peername + " on line " + line;
    $("callstate").setAttribute("data-event", event);
  });
  webphone_api.onCdr(function (caller, called, connecttime, duration, direction, peerdisplayname, reason) {
    $("cdr").textContent = "Last call: " + called + ", " + Math.round((duration + 400) / 1000) + " s, " + reason;
  });
  webphone_api.onEvent(function (type, message) {
    if (type !== "event" || message.indexOf("STATUS,-1,") !== 0) return;
    $("status").textContent = message.split(",")[2];
  });

  document.addEventListener("DOMContentLoaded", function () {
    $("register").addEventListener("click", function () {
      webphone_api.setparameter("serveraddress", $("server").value);
      webphone_api.setparameter("username", $("username").value);
      webphone_api.setparameter("password", $("password").value);
      webphone_api.register();
    });
    $("call").addEventListener("click", function () { webphone_api.call($("destination").value); });
    $("hangup").addEventListener("click", function () { webphone_api.hangup(); });
    $("senddtmf").addEventListener("click", function () { webphone_api.dtmf($("digits").value); });
  });
})();
