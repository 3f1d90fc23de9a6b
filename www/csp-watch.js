// Loaded first (a classic script in <head>): records every Content-Security-Policy violation the
// page reports, so the end-to-end tests (and anyone in the console) can read them from
// `window.__cspViolations`.
"use strict";
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
  });
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "(inline)"}`);
});
