// Flash-message banner: Escape closes it (the summary already opens and closes it from the keyboard).
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const details of document.querySelectorAll("[data-flash-board] details[open]")) {
    details.open = false;
    details.querySelector("summary")?.focus();
  }
});
