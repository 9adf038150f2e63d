// The language links of a page with a long form carry the form: it is sent back to be shown again in the
// language chosen (step "change": nothing is checked or saved but the photos chosen), so what was typed is not
// left behind. Without this file the links work as plain links.
(function () {
  "use strict";
  var form = document.querySelector("form[data-carry-on-language]");
  if (!form || !form.requestSubmit) { return; }
  var step = form.querySelector('input[name="step"]');
  document.querySelectorAll("a[hreflang]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var language = new URL(link.href, window.location.href).searchParams.get("lang");
      if (!language || !step) { return; }
      event.preventDefault();
      var action = form.getAttribute("action"), was = step.value;
      step.value = "change";
      form.setAttribute("action", action.split("?")[0] + "?lang=" + encodeURIComponent(language));
      // the language for our messages starts as the page's: still that, it follows the page (one chosen apart stays)
      var messages = form.querySelector('input[name="language"]:checked');
      var follows = messages && messages.value === document.documentElement.lang &&
        form.querySelector('input[name="language"][value="' + language + '"]');
      if (follows) { follows.checked = true; }
      // a submission refused on the page (a photo too large) must leave the form as it was: the data sent, if
      // any, was read during requestSubmit, so putting all back at once changes nothing sent
      form.requestSubmit();
      step.value = was;
      form.setAttribute("action", action);
      if (follows) { messages.checked = true; }
    });
  });
}());
