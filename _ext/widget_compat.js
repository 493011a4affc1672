// Two gaps between ipywidgets 8's static widget manager and this site, inlined
// by offline_assets.py into every page that embeds widgets.
(function () {
  // Widget labels are typeset through MathJax 2's `MathJax.Hub.Queue`; the site
  // loads MathJax 3, which has no Hub. MathJax's deferred script has run by
  // DOMContentLoaded, and this listener is registered before the widget
  // manager's, so labels typeset with MathJax 3 instead of throwing.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.startup && !mathjax.Hub) {
      mathjax.Hub = {
        Queue: function (command) {
          var element = command[2];
          mathjax.startup.promise
            .then(function () { return mathjax.typesetPromise([element]); })
            .catch(console.warn);
        },
      };
    }
  });
  // A slider's handle (role="slider") is not linked to the slider's visible
  // description, so screen readers announce an unnamed control: name it.
  new MutationObserver(function () {
    document.querySelectorAll(".widget-slider .noUi-handle:not([aria-label])")
      .forEach(function (handle) {
        var label = handle.closest(".widget-slider").querySelector(".widget-label");
        if (label && label.textContent.trim()) {
          handle.setAttribute("aria-label", label.textContent.trim());
        }
      });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
