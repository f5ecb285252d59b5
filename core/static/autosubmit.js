// Submit the signed launch form of an external service (LTI) as soon as the page is ready.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
});
