"use strict";
// Pages show an event's times in the event's own zone. Beside them, this adds the same
// moments on the visitor's clock ("· 22:00 your time"), where that clock reads otherwise.
(() => {
  const visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // The page's language; its words come from the page (data-local-time: "{time} your time").
  const locale = document.documentElement.lang === "en" ? "en-GB" : document.documentElement.lang;
  const wording = document.body.dataset.localTime || "{time} your time";
  const clock = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  const day = { weekday: "long", day: "numeric", month: "long" };

  function format(moment, timeZone, options) {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(moment);
  }

  function localText(moments, eventZone) {
    let text = "";
    let previousDay = null;
    for (const moment of moments) {
      const localDay = format(moment, visitorZone, day);
      const shownDay = previousDay ?? format(moment, eventZone, day);
      if (previousDay !== null) {
        text += localDay === previousDay ? "\u2013" : " \u2013 ";
      }
      text += localDay === shownDay ? "" : `${localDay} `;
      text += format(moment, visitorZone, clock);
      previousDay = localDay;
    }
    return wording.replace("{time}", text);
  }

  for (const shown of document.querySelectorAll(".event-time[data-time-zone]")) {
    const eventZone = shown.dataset.timeZone;
    const moments = [...shown.querySelectorAll("time")].map((time) => new Date(time.dateTime));
    if (!moments.length || moments.some((moment) => Number.isNaN(moment.getTime()))) {
      continue;
    }
    const full = { ...day, ...clock };
    if (moments.every((m) => format(m, eventZone, full) === format(m, visitorZone, full))) {
      continue;
    }
    const added = document.createElement("span");
    added.className = "local-time";
    // Seen as " · "; heard as a pause, then the local time.
    const separator = document.createElement("span");
    separator.setAttribute("aria-hidden", "true");
    separator.textContent = " \u00b7 ";
    const pause = document.createElement("span");
    pause.className = "visually-hidden";
    pause.textContent = ", ";
    added.append(separator, pause, localText(moments, eventZone));
    shown.append(added);
  }
})();
