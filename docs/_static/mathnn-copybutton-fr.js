// mathnn, French edition: French typography for sphinx-copybutton's own French messages
// (a narrow no-break space before "!", « presse-papiers »). Loaded after copybutton.js;
// does nothing if its `messages` table is not there.
if (typeof messages !== "undefined" && messages.fr) {
  messages.fr.copy_success = "Copié\u202f!";
  messages.fr.copy_to_clipboard = "Copier dans le presse-papiers";
}
