import { render } from "preact";
import { App } from "./app";
import { initialTheme } from "./theme";
import "./styles.css";

document.documentElement.dataset.theme = initialTheme();
const root = document.getElementById("app");
if (root) render(<App />, root);
