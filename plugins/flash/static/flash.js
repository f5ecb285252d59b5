// Flash-message banner: Escape closes it when the focus is inside it or nowhere (the summary already opens and
// closes it from the keyboard). Escape pressed elsewhere belongs to what has the focus (a menu of the bar): the
// open banner must neither close nor take the focus then.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const focus = document.activeElement;
  const nowhere = (!focus || focus === document.body) && !document.querySelector("details.menu[open]");
  for (const details of document.querySelectorAll("[data-flash-board] details[open]")) {
    if (!nowhere && !details.contains(focus)) continue;
    details.open = false;
    details.querySelector("summary")?.focus();
  }
});
