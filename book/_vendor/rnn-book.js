// The book's own small fixes to the theme, loaded on every page (html_js_files in _config.yml).
(function () {
  "use strict";
  // Search snippets: Sphinx builds them from the page's HTML text, where a formula is still its TeX
  // source ("\(h_t = \tanh(...)\)"). Drop the formulas from the snippet text instead.
  function patchSearch() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search._rnnPatched) return;
    const original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".math, mjx-container, script[type^='math']").forEach((el) => {
        el.replaceWith(doc.createTextNode("\u2026"));
      });
      return original.call(this, doc.documentElement.outerHTML, anchor);
    };
    Search._rnnPatched = true;
  }
  // The download menu's ".pdf" entry prints the page (the browser's "save as PDF"); say so. The book's
  // PDF is built with `make pdf`.
  function labelPrint() {
    document.querySelectorAll(".btn-download-pdf-button").forEach((b) => {
      const text = b.querySelector(".btn__text-container");
      if (text) text.textContent = "print this page";
      b.setAttribute("title", "Print this page, or save it as a PDF (the whole book as a PDF: make pdf)");
    });
  }
  patchSearch();
  document.addEventListener("DOMContentLoaded", () => { patchSearch(); labelPrint(); });
})();
