// The public form's photos, checked before they are sent: a body past the upload limit is refused by the server
// before the form can be read, so everything typed would be lost. Files the server would refuse (too many, too
// large) are named beside the field instead, in the page's words, and the form is not sent.
(function () {
  "use strict";
  var input = document.getElementById("photos");
  if (!input || !input.form) {
    return;
  }
  var group = input.closest(".form-group");

  function problem() {
    var room = parseInt(input.dataset.room, 10);
    var most = parseInt(input.dataset.mostBytes, 10);
    if (input.files.length > room) {
      return input.dataset.tooMany;
    }
    for (var i = 0; i < input.files.length; i += 1) {
      if (input.files[i].size > most) {
        return input.dataset.tooLarge;
      }
    }
    return "";
  }

  function show(message) {
    var shown = document.getElementById("photos-error");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== "photos-error";
    });
    if (shown && !message) {
      shown.remove();
    }
    if (message) {
      if (!shown) {
        shown = document.createElement("p");
        shown.className = "field-error";
        shown.id = "photos-error";
        input.parentNode.insertBefore(shown, input);
      }
      shown.textContent = "";
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = input.dataset.errorPrefix + " ";
      shown.appendChild(hidden);
      shown.appendChild(document.createTextNode(message));
      described.push("photos-error");
    }
    input.setAttribute("aria-describedby", described.join(" "));
    if (message) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    group.classList.toggle("form-group-error", Boolean(message));
  }

  input.addEventListener("change", function () {
    show(problem());
  });
  input.form.addEventListener("submit", function (event) {
    var message = problem();
    show(message);
    if (message) {
      event.preventDefault();
      input.focus();
    }
  });
}());
