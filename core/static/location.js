// "Use my current location" on the request form: fills in the optional coordinates.
// Progressive enhancement: the button stays hidden without JavaScript or geolocation,
// and the form works the same without it. Messages come translated from the page.
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button || !("geolocation" in navigator)) {
    return;
  }
  var status = document.getElementById("locate-status");
  var lat = document.getElementById("lat");
  var long = document.getElementById("long");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.finding;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      long.value = position.coords.longitude.toFixed(6);
      status.textContent = button.dataset.found;
      button.disabled = false;
    }, function () {
      status.textContent = button.dataset.failed;
      button.disabled = false;
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
}());
