// Classic script, loaded first in <body> (the CSP allows no inline script).
// GOV.UK Frontend's JavaScript-dependent styles and initAll() need these
// classes; govuk-frontend-supported marks browsers that run ES modules.
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
