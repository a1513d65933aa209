// The poster page's print button (no inline handlers: a CSP is coming).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
