// Wide screens have room for the filters beside the results: open them there. Without this
// script (or on a phone) they stay one click away behind their button.
(function () {
  if (!window.matchMedia("(min-width: 52rem)").matches) {
    return;
  }
  var panels = document.querySelectorAll("details[data-open-wide]");
  for (var i = 0; i < panels.length; i++) {
    panels[i].open = true;
  }
})();
