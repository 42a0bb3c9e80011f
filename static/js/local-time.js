"use strict";
// Pages show an event's times in the event's own zone. Beside them, this adds the same
// moments on the visitor's clock ("· 22:00 your time"), where that clock reads otherwise.
(() => {
  const visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // The page's language; its words come from the page (data-local-time: "{time} your time").
  const locale = document.documentElement.lang === "en" ? "en-GB" : document.documentElement.lang;
  const wording = document.body.dataset.localTime || "{time} your time";
  const french = locale === "fr";
  const clock = { hour: french ? "numeric" : "2-digit", minute: "2-digit", hourCycle: "h23" };
  const day = { weekday: "long", day: "numeric", month: "long" };

  // As the page writes them (taskforce/formats): French says "1er" for the first of a
  // month and "14 h 00" for a time, its spaces no-break.
  function written(part) {
    if (!french) return part.value;
    if (part.type === "day" && part.value === "1") return "1er";
    if (part.type === "literal" && part.value === ":") return "\u00a0h\u00a0";
    return part.value;
  }

  function format(moment, timeZone, options) {
    const parts = new Intl.DateTimeFormat(locale, { ...options, timeZone }).formatToParts(moment);
    return parts.map(written).join("");
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
