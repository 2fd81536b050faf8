// Loaded between require.js and embed-amd.js on pages that embed widgets (see ../README.md).
(function () {
  // 1. The widget manager finds its fonts next to its own AMD module URL: map that module path to this
  //    folder, or the browser asks for them under the page's folder (or a CDN).
  var here = document.currentScript.src.replace(/\/[^/]*$/, "");
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": here } });

  // 2. ipywidgets typesets labels with MathJax 2's MathJax.Hub.Queue; the book serves MathJax 3.
  //    MathJax 3 replaces window.MathJax when it starts, so add the bridge on `load`, which fires after
  //    MathJax's deferred script and before the widget manager (registered later) renders the widgets.
  window.addEventListener("load", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub) return;
    mj.Hub = {
      Queue: function (command) {
        var element = command && command[2];
        var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
        ready.then(function () {
          if (mj.typesetPromise) return mj.typesetPromise(element ? [element] : undefined);
        });
      },
    };
  });
})();
