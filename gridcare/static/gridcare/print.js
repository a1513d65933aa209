// A button marked data-print prints the page (a file, not an onclick attribute: the Content-Security-Policy runs
// no inline script).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
