// A form's status line and the field the server named: shared by the library's pages.

// Say `message` in the form's .form-status line (role=status on the page), as an error or not.
export function say(form, message, isError = false) {
  const status = form.querySelector(".form-status");
  if (!status) return;
  status.textContent = message;
  status.classList.toggle("error", isError);
}

// Mark the field an API error names ({error, field}) as invalid and put the focus there.
export function markField(form, error) {
  const field = error.field && form.querySelector(`[name=${error.field}]`);
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}
