// modemgw console: live regions refreshed from server-sent events, the send form's
// preview, and confirmation before a destructive form. No library, no build step.
"use strict";

(function () {
  const body = document.body;
  const csrf = body.dataset.csrf || "";

  // -- live regions --------------------------------------------------------------
  // A page's #live element is fetched again when an event concerns it: data-live is
  // "all", "none" (an older page of a listing) or the id of the one message it shows.
  const live = document.getElementById("live");
  const indicator = document.getElementById("live-state");
  let busy = false;
  let again = false;

  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}});
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById("live");
        if (fresh) {
          // A copy first: adopting a node takes it out of the live childNodes list.
          const nodes = Array.from(fresh.childNodes);
          live.replaceChildren(...nodes.map((node) => document.adoptNode(node)));
          body.dataset.refreshed = String(Number(body.dataset.refreshed || 0) + 1);
        }
      }
    } catch (error) {
      // The next event tries again.
    } finally {
      busy = false;
      if (again) { again = false; setTimeout(refresh, 300); }
    }
  }

  function concerns(event) {
    const watch = live.dataset.live;
    if (watch === "none") return false;
    if (watch === "all") return true;
    return event.message_id === watch;
  }

  if (live && body.dataset.events && window.EventSource) {
    const url = body.dataset.events + "?after=" + encodeURIComponent(body.dataset.cursor || "0");
    const source = new EventSource(url);
    source.onopen = () => { if (indicator) indicator.classList.add("on"); };
    source.onerror = () => { if (indicator) indicator.classList.remove("on"); };
    source.onmessage = (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      if (concerns(event)) refresh();
    };
    window.addEventListener("pagehide", () => source.close());
  }

  // -- the send form's preview -----------------------------------------------------
  const text = document.getElementById("text");
  const output = document.getElementById("preview");
  let asked = 0;
  let timer = null;

  function show(answer) {
    output.replaceChildren();
    if (answer.error) {
      output.classList.add("error");
      output.textContent = answer.error;
      return;
    }
    output.classList.remove("error");
    const parts = answer.segments === 1 ? "1 segment" : answer.segments + " segments";
    const line = document.createElement("span");
    line.textContent = (answer.encoding === "ucs2" ? "UCS-2" : "GSM-7") + " · " + parts + " · " +
      answer.characters + " characters, " + answer.remaining + " left in the last segment";
    output.append(line);
    if (answer.ucs2_characters.length) {
      const why = document.createElement("span");
      why.className = "forced";
      why.append("UCS-2 because of: ");
      for (const character of answer.ucs2_characters) {
        const mark = document.createElement("mark");
        mark.textContent = character;
        why.append(mark, " ");
      }
      output.append(why);
    }
  }

  async function preview() {
    const mine = ++asked;
    if (!text.value) { output.replaceChildren(); return; }
    try {
      const response = await fetch(output.dataset.url, {
        method: "POST", credentials: "same-origin",
        headers: {"X-CSRF-Token": csrf}, body: new URLSearchParams({text: text.value})});
      const answer = await response.json();
      if (mine === asked) show(answer);
    } catch (error) {
      // Left as it was: the form still sends.
    }
  }

  if (text && output) {
    text.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(preview, 150); });
    preview();
  }

  // -- confirmation --------------------------------------------------------------
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.classList.contains("confirm") && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
