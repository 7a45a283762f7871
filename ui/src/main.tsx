import { render } from "preact";
import { App } from "./app";
import { initialTheme } from "./theme";
import "./styles.css";

/** A failure nobody caught is shown, not swallowed: the officer (and the tests) see what broke. */
function showFatal(message: string): void {
  let box = document.getElementById("fatal");
  if (!box) {
    box = document.createElement("div");
    box.id = "fatal";
    box.setAttribute("role", "alert");
    box.className = "error-box";
    document.body.prepend(box);
  }
  box.textContent = `Something went wrong: ${message}. What you saved is safe; restart the app.`;
}
window.addEventListener("error", (e) => showFatal(e.message));
window.addEventListener("unhandledrejection", (e) => showFatal(String((e.reason as { message?: string })?.message ?? e.reason)));

document.documentElement.dataset.theme = initialTheme();
const root = document.getElementById("app");
if (root) render(<App />, root);
