// The inzage report opened for printing: open the print dialog once it has loaded.
window.addEventListener("load", function () {
  window.print();
});
