// Draws the staff API reference from the document the server generates; no inline script, no outside requests.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("reference");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-document"),
    domNode: root,
    // deep links are anchors inside each operation's button: nested controls a keyboard or screen reader trips on
    deepLinking: false,
    // the reference reads; trying calls needs a token, which people paste in "Authorize"
    supportedSubmitMethods: ["get", "post"],
    validatorUrl: null,
    persistAuthorization: false,
  });
});
