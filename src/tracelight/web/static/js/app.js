// Every htmx request carries the session's CSRF token (read from the page's meta tag).
// No inline scripts exist anywhere: the Content-Security-Policy forbids them.
"use strict";
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});
