// Adds a "print" button to #print-plek. It only exists with JavaScript; without it the
// browser's own print command works.
(function () {
  var plek = document.getElementById("print-plek");
  if (!plek || !window.print) { return; }
  var knop = document.createElement("button");
  knop.type = "button";
  knop.id = "print-knop";
  knop.className = "button--secondary";
  knop.textContent = plek.getAttribute("data-label");
  knop.addEventListener("click", function () { window.print(); });
  plek.appendChild(knop);
})();
