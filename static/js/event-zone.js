"use strict";
// The event form names the time zone beside each time; keep the names in step with the
// zone chosen, as the times are read in it when the form is saved.
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.getElementById("id_time_zone");
  if (!zone) {
    return;
  }
  zone.addEventListener("change", () => {
    for (const name of document.querySelectorAll("[data-event-zone]")) {
      name.textContent = zone.value;
    }
  });
});
