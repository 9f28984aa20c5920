// The handout's print page (meetings/handout.html): the Print button opens the browser's print
// dialog. Without script the button stays hidden; the browser's own Print still works.
const button = document.querySelector(".print-button");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
