// Forms with data-confirm ask before they submit (e.g. withdrawing consent takes effect at once).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
