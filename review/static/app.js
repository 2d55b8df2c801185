// Keyboard use: a = approve, r = reject reason, b = send back, n = next, q = queue.
// Typing in a field selects its value first, so a fix is just the new value and Enter.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-select]").forEach((el) =>
    el.addEventListener("focus", () => el.select()));
  const first = document.querySelector("[autofocus]");
  if (first) { first.focus(); if (first.select) first.select(); }
});
document.addEventListener("keydown", (ev) => {
  const t = ev.target;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement) {
    if (ev.key === "Escape") t.blur();
    return;
  }
  const click = (id) => { const el = document.getElementById(id); if (el) { ev.preventDefault(); el.click(); } };
  const focus = (id) => { const el = document.getElementById(id); if (el) { ev.preventDefault(); el.focus(); } };
  if (ev.key === "a") click("approve");
  else if (ev.key === "r") focus("reject-reason");
  else if (ev.key === "b") click("send-back");
  else if (ev.key === "n") { ev.preventDefault(); window.location.href = "/next"; }
  else if (ev.key === "q") { ev.preventDefault(); window.location.href = "/queue"; }
});
