// The papers' print button: the browser's print dialog (the page is already laid out for it).
document.querySelectorAll('[data-print]').forEach((button) => {
  button.addEventListener('click', () => window.print());
});
