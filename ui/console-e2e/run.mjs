// The force console's browser journey, in Debian's Chromium through playwright-core, with
// axe-core on every screen. A Rust test starts the force server, runs this script and plays
// the tablet; this script plays the people at the console.
//
// # The environment contract
//
// Required:
//   CONSOLE_URL             The console's address, e.g. https://127.0.0.1:7878/console/ (a
//                           self-signed certificate is accepted).
//   CONSOLE_ADMIN_USER      A force admin account that exists already (`liaison-server staff add`).
//   CONSOLE_ADMIN_PASSWORD  Its password.
//   SCREENSHOT_DIR          Where a PNG of every screen is saved (created if missing).
//   ENROLMENT_OUT           The file the enrolment string issued in the console is written to
//                           (one line, no newline; written whole: a temporary file, then a rename).
//   DEVICE_DONE_FILE        This script waits until this file exists: the device writes it once it
//                           has enrolled and pushed a tension reading and an escalation for the
//                           operation. Its content may be empty, or JSON naming what to look for:
//                           {"escalation_summary": "...", "sector": "...", "mood": "tense"}.
// Optional:
//   OPERATION_OUT           A JSON file written before ENROLMENT_OUT: the operation as the
//                           console's API returns it (OperationView: id, revision, operation with
//                           its sectors and team) plus {"officer": <the enrolled officer>}, so the
//                           device knows the operation id and the sector names.
//   DEVICE_ESCALATION_TEXT  Text the device's escalation contains: the live page must show it
//                           (the same as "escalation_summary" in DEVICE_DONE_FILE).
//   DEVICE_PHOTO_CAPTION    The caption of a photo the escalation carries (its files on the
//                           server): the live page must show its thumbnail and open the photo.
//   E2E_OFFICER             The officer the enrolment is for (default "PC 4521"); put on the team.
//   DEVICE_TIMEOUT_MS       How long to wait for DEVICE_DONE_FILE (default 180000).
//   CHROMIUM                The browser (default /usr/bin/chromium). Never downloaded.
//
// The journey: the admin signs in (after one wrong password, which must be refused); adds
// three officers to the directory; creates a supervisor and a Gold commander; sets up an
// operation (a refused save first: its error must show beside the field), with an area drawn
// by keyboard alone and three sectors drawn on the map by clicking, and a team; the commander signs in in a second
// browser that refuses every request not for this machine and opens the operation's live picture, whose map must
// still draw its bundled basemap; the admin issues an enrolment and this
// script writes its string to ENROLMENT_OUT; it waits for DEVICE_DONE_FILE; the live picture
// must then show the escalation and the sector's tension without a reload. Then an edit by
// the admin and a stale edit by the commander (refused as a conflict, shown, and resolved by
// loading their version), the tablets list (the device and the revoke dialog, cancelled),
// reviews, the audit export, the supervisor's read-only view, their alerts and abstractions,
// and a contact note edited on two of the officer's tablets at once, shown side by side and
// resolved by keeping one version (refused first without a reason); then the admin edits the
// supervisor's account (a new password containing the username refused beside its field) and
// disables it as a leaver: the supervisor's open page is signed out and their sign-in refused.
// The admin's own account offers no way to disable it. Then sign-out.
//
// Exit status 0 when everything passed; 1 with "console e2e FAILED: …" lines otherwise (axe
// violations of serious or critical impact, page errors and CSP violations included).
// Run: node console-e2e/run.mjs (or npm run e2e:console) from ui/.

import { chromium } from "playwright-core";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

function env(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === "") {
    if (fallback !== undefined) return fallback;
    console.error(`console e2e FAILED: the environment variable ${name} is required (see the top of console-e2e/run.mjs)`);
    process.exit(2);
  }
  return v;
}

const BASE = env("CONSOLE_URL");
const ADMIN_USER = env("CONSOLE_ADMIN_USER");
const ADMIN_PASSWORD = env("CONSOLE_ADMIN_PASSWORD");
const SHOTS = env("SCREENSHOT_DIR");
const ENROLMENT_OUT = env("ENROLMENT_OUT");
const DEVICE_DONE_FILE = env("DEVICE_DONE_FILE");
const OPERATION_OUT = process.env.OPERATION_OUT || null;
const OFFICER = env("E2E_OFFICER", "PC 4521");
const ESCALATION_TEXT = process.env.DEVICE_ESCALATION_TEXT || null;
const PHOTO_CAPTION = process.env.DEVICE_PHOTO_CAPTION || null;
const DEVICE_TIMEOUT_MS = Number(env("DEVICE_TIMEOUT_MS", "180000"));
const CHROMIUM = env("CHROMIUM", "/usr/bin/chromium");

const RUN = Date.now().toString(36).slice(-5);
const SUPERVISOR_OFFICER = `PS ${1200 + (Date.now() % 97)}`;
const PCSO_OFFICER = `PCSO ${8800 + (Date.now() % 89)}`;
const SUPERVISOR = { username: `sup.${RUN}`, name: "Sgt Amrit Kaur", password: `Supervisor-${RUN}-long-pass` };
const COMMANDER = { username: `gold.${RUN}`, name: "Ch Supt Helen Marsh", password: `Gold-commander-${RUN}-pass` };
const OPERATION_NAME = `Operation HERON ${RUN}`;
const SECTOR_NAMES = ["North: Victoria Square", "East: Moor Street", "South: Bull Ring"];

const failures = [];
let step = "starting";
let shotNo = 0;

function fail(message) {
  failures.push(`[${step}] ${message}`);
}

/** A step that must pass for the journey to go on. */
async function must(name, f) {
  step = name;
  console.log(`· ${name}`);
  await f();
}

class StepFailure extends Error {}
/** Whether `predicate` (run in the page) comes true within 3 s: focus moves after the next
 * animation frame, not at once. */
async function settles(page, predicate, arg) {
  try {
    await page.waitForFunction(predicate, arg, { timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

/** Like `settles`, with a longer wait (a map loads its basemap chunk first). */
async function settlesWithin(page, predicate, timeout) {
  try {
    await page.waitForFunction(predicate, undefined, { timeout });
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses every request of the page's browser that is not for this machine (127.0.0.1,
 * localhost) or inline (data:, blob:), as a closed network would; returns the list of those
 * refused, which a page that needs nothing from outside leaves empty.
 */
async function refuseOutside(page) {
  const refused = [];
  await page.context().route("**/*", (route) => {
    const url = new URL(route.request().url());
    const local = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) || url.protocol === "data:" || url.protocol === "blob:";
    if (local) return route.continue();
    refused.push(url.href);
    return route.abort("internetdisconnected");
  });
  return refused;
}

function check(condition, message) {
  if (!condition) throw new StepFailure(message);
}

async function shot(page, name) {
  shotNo += 1;
  const file = join(SHOTS, `${String(shotNo).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

/** Runs axe-core on the page as it stands; serious and critical violations are failures. */
async function axe(page, screen) {
  const present = await page.evaluate(() => typeof window.axe !== "undefined");
  // The console's CSP (script-src 'self') refuses an inline <script>, which is what
  // addScriptTag({content}) makes, and the journey keeps the CSP on to prove the pages need no
  // inline script. DevTools' own evaluation is not subject to it.
  if (!present) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  });
  for (const v of violations) {
    const line = `axe ${v.impact} ${v.id} on ${screen}: ${v.help} (${v.targets.join("; ")})`;
    if (v.impact === "serious" || v.impact === "critical") fail(line);
    else console.log(`  (axe, not failing) ${line}`);
  }
}

async function screen(page, name) {
  await axe(page, name);
  await shot(page, name);
}

function watch(page, who) {
  page.on("pageerror", (e) => fail(`${who}: uncaught error in the page: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    // A refused request (the 401 of "am I signed in?" on the first load) is expected.
    if (text.startsWith("Failed to load resource")) return;
    fail(`${who}: console error: ${text}`);
  });
}

async function newPage(browser, who) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1440, height: 1000 },
    locale: "en-GB",
    timezoneId: "Europe/London",
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  watch(page, who);
  return page;
}

async function signIn(page, username, password) {
  await page.goto(BASE);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Console" }).waitFor();
}

async function navTo(page, label) {
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: label, exact: true }).click();
  await page.getByRole("heading", { level: 1 }).first().waitFor();
}

async function navLabels(page) {
  return page.getByRole("navigation", { name: "Console" }).getByRole("link").allInnerTexts();
}

function localInput(date) {
  const p = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

/** Clicks the corners of a polygon, given as fractions of the map's width and height. */
async function drawPolygon(page, corners) {
  const svg = page.locator("#op-map svg");
  const box = await svg.boundingBox();
  check(box, "the map is not on the page");
  for (const [fx, fy] of corners) {
    await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  }
  await page.getByRole("button", { name: "Finish polygon" }).click();
}

function rect(x0, y0, x1, y1) {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

async function waitForFile(path, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new StepFailure(`${path} did not appear within ${timeoutMs} ms (the device did not say it was done)`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // The device may still be writing: give it a moment, then read what it says.
  await new Promise((r) => setTimeout(r, 100));
  const text = readFileSync(path, "utf8").trim();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function writeWhole(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--no-default-browser-check"],
  });
  const pages = [];
  try {
    const admin = await newPage(browser, "admin");
    pages.push(admin);
    let operationId = null;
    let commander = null;
    let commanderRefused = [];
    let expect = {};
    let supervisorPage = null;

    await must("admin: a wrong password is refused", async () => {
      await admin.goto(BASE);
      await admin.getByRole("heading", { name: "Sign in" }).waitFor();
      await screen(admin, "sign-in");
      await admin.getByLabel("Username").fill(ADMIN_USER);
      await admin.getByLabel("Password").fill(`${ADMIN_PASSWORD}-wrong`);
      await admin.getByRole("button", { name: "Sign in" }).click();
      await admin.getByRole("alert").waitFor();
      await screen(admin, "sign-in-refused");
    });

    await must("admin signs in", async () => {
      await admin.getByLabel("Username").fill(ADMIN_USER);
      await admin.getByLabel("Password").fill(ADMIN_PASSWORD);
      await admin.getByRole("button", { name: "Sign in" }).click();
      await admin.getByRole("navigation", { name: "Console" }).waitFor();
      const labels = await navLabels(admin);
      check(
        ["Operations", "Officers", "Staff", "Tablets", "Reviews", "Audit"].every((l) => labels.includes(l)),
        `the admin's navigation is ${labels.join(", ")}`,
      );
      await admin.getByText(`Signed in as`).waitFor();
      await screen(admin, "operations-empty-or-list");
    });

    await must("admin adds officers to the directory", async () => {
      await navTo(admin, "Officers");
      const people = [
        { officer: SUPERVISOR_OFFICER, name: "Amrit Kaur", rank: "PS", role: "PLT leader", team: "PLT West", supervisor: "" },
        { officer: OFFICER, name: "Dan Okafor", rank: "PC", role: "PLO", team: "PLT West", supervisor: SUPERVISOR_OFFICER },
        { officer: PCSO_OFFICER, name: "Jo Price", rank: "PCSO", role: "PCSO", team: "PLT West", supervisor: SUPERVISOR_OFFICER },
      ];
      for (const o of people) {
        const form = admin.locator("form");
        const editing = await admin.getByRole("rowheader", { name: o.officer, exact: true }).count();
        if (editing) {
          await admin.getByRole("button", { name: `Edit ${o.officer}`, exact: true }).click();
        } else {
          await form.getByLabel("Officer id").fill(o.officer);
        }
        await form.getByLabel("Name").fill(o.name);
        await form.getByLabel("Rank").fill(o.rank);
        await form.getByLabel(/^Role/).fill(o.role);
        await form.getByLabel("Team").fill(o.team);
        await form.getByLabel("Supervisor").selectOption(o.supervisor);
        await form.getByRole("button", { name: editing ? "Save changes" : "Add officer" }).click();
        await admin.getByRole("status").filter({ hasText: o.officer }).waitFor();
        await admin.getByRole("rowheader", { name: o.officer, exact: true }).waitFor();
      }
      await screen(admin, "officers");
    });

    await must("admin creates a supervisor and a Gold commander", async () => {
      await navTo(admin, "Staff");
      for (const [who, role, officer] of [
        [SUPERVISOR, "supervisor", SUPERVISOR_OFFICER],
        [COMMANDER, "gold", ""],
      ]) {
        await admin.getByLabel("Username").fill(who.username);
        await admin.getByLabel("Display name").fill(who.name);
        await admin.getByLabel(/^Role/).selectOption(role);
        await admin.getByLabel("Officer (optional)").selectOption(officer);
        await admin.getByLabel("Initial password").fill(who.password);
        await admin.getByRole("button", { name: "Create account" }).click();
        await admin.getByRole("status").filter({ hasText: `(${who.username}) can now sign in` }).waitFor();
        await admin.getByRole("cell", { name: who.username, exact: true }).waitFor();
      }
      await screen(admin, "staff");
    });

    await must("admin sets up the operation: a refused save shows its error beside the field", async () => {
      await navTo(admin, "Operations");
      await admin.getByRole("link", { name: "New operation" }).click();
      await admin.getByRole("heading", { name: "New operation", level: 1 }).waitFor();
      await admin.getByLabel("Operation name").fill(OPERATION_NAME);
      await admin.getByLabel("Kind of event").selectOption("march");
      const now = new Date();
      // Ends before it starts: the core validator refuses it, naming body.ends_at.
      await admin.getByLabel("Starts (local time)").fill(localInput(new Date(now.getTime() - 60 * 60_000)));
      await admin.getByLabel("Ends (local time)").fill(localInput(new Date(now.getTime() - 2 * 60 * 60_000)));
      await admin.getByRole("button", { name: "Create operation" }).click();
      await admin.locator("#op-ends-error").waitFor();
      await admin.locator(".error-summary").waitFor();
      await screen(admin, "operation-refused");
      await admin.getByLabel("Ends (local time)").fill(localInput(new Date(now.getTime() + 6 * 60 * 60_000)));
    });

    await must("admin writes the briefing, the command structure and the team", async () => {
      await admin.getByLabel("Information").fill("A march from Victoria Square to the Bull Ring, about 2,000 expected.");
      await admin.getByLabel("Intention").fill("Facilitate a peaceful protest; keep the route open for emergency vehicles.");
      await admin.getByLabel("Human rights").fill("Articles 10 and 11: conditions only where necessary and proportionate.");
      await admin.getByLabel("Gold, Silver, Bronze and the PLT chain").fill(`Gold: ${COMMANDER.name}. PLT: ${SUPERVISOR_OFFICER}.`);
      for (const [officer, role] of [
        [SUPERVISOR_OFFICER, "PLT team leader"],
        [OFFICER, "PLO"],
        [PCSO_OFFICER, "PCSO"],
      ]) {
        await admin.getByLabel("Officer to add").selectOption(officer);
        await admin.getByLabel("Their role on the operation").fill(role);
        await admin.getByRole("button", { name: "Add to team" }).click();
        await admin.getByLabel(`Role of ${officer} on the operation`).waitFor();
      }
    });

    await must("admin draws the area and three sectors on the map", async () => {
      // The area by keyboard alone: the arrow keys move the map under the centre cross and
      // Enter places a corner there (drawing focuses the map).
      await admin.getByRole("button", { name: "Draw the operation area" }).click();
      check(await settles(admin, () => document.activeElement?.id === "op-map"), "drawing did not move the focus to the map");
      const press = async (key, times = 1) => {
        for (let i = 0; i < times; i++) await admin.keyboard.press(key);
      };
      await press("ArrowLeft", 5);
      await press("ArrowUp", 3);
      await press("Enter");
      await press("ArrowRight", 10);
      await press("Enter");
      await press("ArrowDown", 6);
      await press("Enter");
      await press("ArrowLeft", 10);
      await press("Enter");
      await press("ArrowUp", 3);
      await press("ArrowRight", 5);
      await admin.getByRole("button", { name: "Finish polygon" }).click();
      await admin.getByText("Operation area: 4 corners.").waitFor();
      // The sectors with the mouse: a click per corner.
      const boxes = [rect(0.12, 0.12, 0.48, 0.46), rect(0.52, 0.12, 0.88, 0.46), rect(0.12, 0.52, 0.88, 0.86)];
      for (let i = 0; i < boxes.length; i++) {
        await admin.getByRole("button", { name: "Draw a new sector" }).click();
        await drawPolygon(admin, boxes[i]);
        const name = admin.getByLabel(`Sector ${i + 1} name`);
        await name.waitFor();
        await name.fill(SECTOR_NAMES[i]);
      }
      // Zoom and pan with the buttons, to show they move the picture and keep the sectors.
      await admin.getByRole("button", { name: "Zoom out" }).click();
      await admin.getByRole("button", { name: "Show the whole area" }).click();
      await screen(admin, "operation-editor");
    });

    await must("admin creates the operation", async () => {
      await admin.getByRole("button", { name: "Create operation" }).click();
      await admin.getByRole("status").filter({ hasText: "created" }).waitFor();
      const m = /#\/operations\/([^/]+)\/edit/.exec(admin.url());
      check(m, `after creating, the page is ${admin.url()}, not the operation's editor`);
      operationId = decodeURIComponent(m[1]);
      check((await admin.getByLabel(/^Sector \d name/).count()) === 3, "the saved operation does not have three sectors");
      await screen(admin, "operation-saved");
    });

    await must("the commander opens the live picture in a second browser", async () => {
      commander = await newPage(browser, "commander");
      pages.push(commander);
      // The commander's browser has no network beyond this machine: the live picture, its map
      // (the bundled Natural Earth basemap) included, must need none.
      commanderRefused = await refuseOutside(commander);
      await signIn(commander, COMMANDER.username, COMMANDER.password);
      const labels = await navLabels(commander);
      check(labels.includes("Audit") && !labels.includes("Staff") && !labels.includes("Tablets"), `Gold's navigation is ${labels.join(", ")}`);
      await navTo(commander, "Operations");
      await commander.getByRole("link", { name: `Live picture of ${OPERATION_NAME}` }).click();
      await commander.getByRole("heading", { name: `Live: ${OPERATION_NAME}` }).waitFor();
      await commander.locator("#live-status").filter({ hasText: "Live:" }).waitFor({ timeout: 20_000 });
      await commander.evaluate(() => {
        window.__consoleE2eNotReloaded = true;
      });
      const drawn = await settlesWithin(
        commander,
        () => {
          const d = document.querySelector("#live-map path.land")?.getAttribute("d") || "";
          return (d.match(/M/g) || []).length >= 1 && d.length > 20;
        },
        20_000,
      );
      check(drawn, "the live map's basemap (land paths) was not drawn with every outside request refused");
      check(commanderRefused.length === 0, `the console asked for things from outside: ${commanderRefused.join(", ")}`);
      await screen(commander, "live-before-device");
    });

    await must("admin issues an enrolment and hands it to the device", async () => {
      if (OPERATION_OUT) {
        const view = await admin.evaluate(async (id) => {
          const r = await fetch(`/console/api/operations/${encodeURIComponent(id)}`, { credentials: "same-origin" });
          return r.ok ? r.json() : null;
        }, operationId);
        check(view, "the operation could not be read back from the console's API");
        writeWhole(OPERATION_OUT, JSON.stringify({ ...view, officer: OFFICER }, null, 2));
      }
      await navTo(admin, "Tablets");
      await screen(admin, "tablets");
      await admin.getByLabel(/^Officer/).selectOption(OFFICER);
      await admin.getByRole("button", { name: "Issue enrolment" }).click();
      const text = admin.getByLabel("Enrolment string");
      await text.waitFor();
      const enrolment = (await text.inputValue()).trim();
      check(enrolment.length > 20, `the enrolment string on the page is "${enrolment}"`);
      await admin.getByRole("img", { name: `QR code of the enrolment string for ${OFFICER}` }).waitFor();
      await admin.getByText("Shown once.").waitFor();
      await screen(admin, "enrolment-issued");
      writeWhole(ENROLMENT_OUT, enrolment);
      console.log(`  enrolment for ${OFFICER} written to ${ENROLMENT_OUT}`);
    });

    await must("waiting for the device", async () => {
      expect = await waitForFile(DEVICE_DONE_FILE, DEVICE_TIMEOUT_MS);
      if (ESCALATION_TEXT && !expect.escalation_summary) expect.escalation_summary = ESCALATION_TEXT;
      console.log(`  the device is done${Object.keys(expect).length ? `: ${JSON.stringify(expect)}` : ""}`);
    });

    await must("the live picture shows the escalation and the tension without a reload", async () => {
      const escalation = commander.locator("#escalations li");
      if (expect.escalation_summary) {
        await escalation.filter({ hasText: expect.escalation_summary }).first().waitFor({ timeout: 30_000 });
      } else {
        await escalation.first().waitFor({ timeout: 30_000 });
      }
      const rows = commander.locator("#sector-tension tbody tr");
      if (expect.sector) {
        const row = rows.filter({ has: commander.getByRole("rowheader", { name: expect.sector, exact: true }) });
        await row.filter({ hasNotText: "No reading" }).waitFor({ timeout: 30_000 });
        if (expect.mood) {
          const want = String(expect.mood).replace(/_/g, "-").toLowerCase();
          const got = (await row.innerText()).toLowerCase();
          check(got.includes(want), `sector ${expect.sector} shows "${got}", not the mood ${expect.mood}`);
        }
      } else {
        await rows.filter({ hasNotText: "No reading" }).first().waitFor({ timeout: 30_000 });
      }
      const kept = await commander.evaluate(() => window.__consoleE2eNotReloaded === true);
      check(kept, "the live page was reloaded to show the records");
      await screen(commander, "live-after-device");
    });

    if (PHOTO_CAPTION) {
      await must("the escalation's photo shows as a thumbnail and opens full size from the force server", async () => {
        const card = commander.locator("#escalations li").first();
        const thumb = card.getByRole("img", { name: `Photo: ${PHOTO_CAPTION}`, exact: true });
        await thumb.waitFor({ timeout: 20_000 });
        await commander.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle(), {
          timeout: 20_000,
        });
        const facts = await card.locator(".attachment-text").innerText();
        check(/Photo · \d+ KB · Location removed/.test(facts), `the attachment's facts read "${facts}"`);
        const open = card.getByRole("button", { name: `Open Photo: ${PHOTO_CAPTION}` });
        check((await open.getAttribute("aria-expanded")) === "false", "Open says the photo is shown before it is");
        await open.click();
        const close = card.getByRole("button", { name: `Close Photo: ${PHOTO_CAPTION}` });
        check((await close.getAttribute("aria-expanded")) === "true", "Open, once pressed, does not say the photo is shown");
        const full = card.getByRole("img", { name: `Full size of photo: ${PHOTO_CAPTION}`, exact: true });
        await full.waitFor({ timeout: 20_000 });
        await commander.waitForFunction((el) => el.complete && el.naturalWidth >= 640, await full.elementHandle(), {
          timeout: 20_000,
        });
        await screen(commander, "live-photo-open");
        await close.click();
      });
    }

    await must("an edit names the revision it was made from; a stale one is refused as a conflict", async () => {
      // The commander opens the editor from the live page, then the admin saves an edit first.
      await commander.getByRole("link", { name: "Edit operation" }).click();
      await commander.getByRole("heading", { name: `Edit ${OPERATION_NAME}`, level: 1 }).waitFor();
      await navTo(admin, "Operations");
      await admin.getByRole("link", { name: `Edit ${OPERATION_NAME}` }).click();
      await admin.getByRole("heading", { name: `Edit ${OPERATION_NAME}`, level: 1 }).waitFor();
      const renamed = `${SECTOR_NAMES[1]} station`;
      await admin.getByLabel("Sector 2 name").fill(renamed);
      await admin.getByLabel("Reason for the change").fill("Sector renamed after the briefing");
      await admin.getByRole("button", { name: "Save changes" }).click();
      await admin.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      await commander.getByLabel("Gold, Silver, Bronze and the PLT chain").fill(`Gold: ${COMMANDER.name}. Silver: Supt R. Hale.`);
      await commander.getByLabel("Reason for the change").fill("Silver named");
      await commander.getByRole("button", { name: "Save changes" }).click();
      await commander.getByRole("heading", { name: "Changed by someone else" }).waitFor();
      await screen(commander, "operation-conflict");
      await commander.getByRole("button", { name: /^Load their version/ }).click();
      await commander.getByRole("status").filter({ hasText: `as ${ADMIN_USER} left it` }).waitFor();
      const now = await commander.getByLabel("Sector 2 name").inputValue();
      check(now === renamed, `after loading their version, sector 2 is "${now}", not "${renamed}"`);
    });

    await must("admin sees the tablet, and the revoke dialog states the consequences", async () => {
      await navTo(admin, "Operations");
      await navTo(admin, "Tablets");
      const row = admin.locator("#devices tbody tr").filter({ has: admin.getByRole("rowheader", { name: OFFICER, exact: true }) });
      await row.first().waitFor();
      check(!(await row.first().innerText()).includes("never"), "the tablet's last contact is never");
      await row.first().getByRole("button", { name: `Revoke the tablet of ${OFFICER}` }).click();
      const dialog = admin.getByRole("dialog");
      await dialog.waitFor();
      check((await dialog.innerText()).includes("at once"), "the dialog does not say a lost tablet stops at once");
      await dialog.getByLabel("Why").selectOption("retired");
      const said = await dialog.innerText();
      check(said.includes("3 days") && said.includes("wipes itself"), "the dialog does not state what retiring does");
      await screen(admin, "revoke-dialog");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "hidden" });
    });

    await must("admin opens reviews and exports the operation's audit trail", async () => {
      await navTo(admin, "Reviews");
      await admin.locator("main").getByText(/review/i).first().waitFor();
      await screen(admin, "reviews");
      await navTo(admin, "Audit");
      await admin.getByRole("button", { name: "Fetch the audit trail" }).click();
      await admin.locator("#audit-purpose-error").waitFor();
      await admin.getByLabel("Operation").selectOption(operationId);
      await admin.getByLabel("Purpose").fill("console end-to-end test");
      await admin.getByRole("button", { name: "Fetch the audit trail" }).click();
      await admin.getByRole("heading", { name: "Audit trail" }).waitFor();
      const download = admin.getByRole("link", { name: "Download as JSON" });
      await download.waitFor();
      const [file] = await Promise.all([admin.waitForEvent("download"), download.click()]);
      const saved = await file.path();
      check(saved && JSON.parse(readFileSync(saved, "utf8")) !== undefined, "the downloaded audit trail is not JSON");
      await screen(admin, "audit");
    });

    await must("the supervisor sees tablets read-only and cannot edit operations", async () => {
      const sup = await newPage(browser, "supervisor");
      pages.push(sup);
      await signIn(sup, SUPERVISOR.username, SUPERVISOR.password);
      const labels = await navLabels(sup);
      check(labels.includes("Tablets") && !labels.includes("Staff") && !labels.includes("Audit"), `the supervisor's navigation is ${labels.join(", ")}`);
      check((await sup.getByRole("link", { name: "New operation" }).count()) === 0, "the supervisor is offered a new operation");
      await navTo(sup, "Tablets");
      check((await sup.getByRole("button", { name: "Issue enrolment" }).count()) === 0, "the supervisor is offered enrolments");
      check((await sup.getByRole("button", { name: /^Revoke/ }).count()) === 0, "the supervisor is offered revocation");
      await screen(sup, "supervisor-tablets");
      supervisorPage = sup;
    });

    await must("the supervisor is alerted to the officer's escalation, acknowledges it and answers it", async () => {
      const sup = supervisorPage;
      await navTo(sup, "Alerts");
      await sup.getByTestId("alerts-link").filter({ hasText: "Live:" }).waitFor({ timeout: 20_000 });
      const card = sup.locator("[data-alert]").filter({ hasText: expect.escalation_summary || "" }).first();
      await card.waitFor({ timeout: 20_000 });
      await card.getByText("for you").waitFor();
      check((await card.getByTestId("alert-waiting").count()) === 1, "the waiting time is not shown");
      await screen(sup, "alerts-waiting");
      await card.getByRole("button", { name: "Acknowledge" }).click();
      await card.getByTestId("alert-acknowledged").filter({ hasText: "Acknowledged by" }).waitFor();
      // An answer without its rationale is refused beside the field; then it is recorded.
      await card.getByRole("button", { name: "Record the answer" }).click();
      await card.getByText("is required: say why").waitFor();
      await card.getByLabel(/^Decision/).selectOption("resources_sent");
      await card.getByLabel(/^Rationale/).fill("Serial sent to the barrier; PLOs withdrawn to the march side.");
      await card.getByRole("button", { name: "Record the answer" }).click();
      await card.getByTestId("alert-decision").filter({ hasText: "Resources deployed" }).waitFor();
      check((await sup.getByTestId("alerts-median").innerText()).trim() !== "—", "no median time to acknowledge");
      await screen(sup, "alerts-answered");
    });

    await must("the supervisor requests an abstraction for their PCSO, authorises it, and sees the monthly rate", async () => {
      const sup = supervisorPage;
      await navTo(sup, "Abstractions");
      const form = sup.getByRole("region", { name: "Request an abstraction for an officer" });
      // Refused beside its field: no start.
      await form.getByLabel(/^Officer/).selectOption(PCSO_OFFICER);
      await form.getByLabel(/^To duty/).fill("Cordon at Victoria Square");
      await form.getByLabel(/^Justification/).fill("Visible presence needed at the rally");
      await form.getByRole("button", { name: "Request abstraction" }).click();
      await form.getByText("is required").first().waitFor();
      await form.getByLabel(/^Starts/).fill("2026-11-28T09:00");
      await form.getByLabel(/^Ends/).fill("2026-11-28T19:00");
      await form.getByRole("button", { name: "Request abstraction" }).click();
      const card = sup.locator("[data-abstraction]").filter({ hasText: "Cordon at Victoria Square" }).first();
      await card.waitFor();
      await card.getByTestId("abstraction-flags").filter({ hasText: "prolonged" }).waitFor();
      await card.getByRole("button", { name: "Authorise" }).click();
      await sup.locator("[data-abstraction]").filter({ hasText: "Cordon at Victoria Square" }).getByTestId("abstraction-decision").filter({ hasText: "Authorised by" }).waitFor();
      await sup.getByTestId("rate-row").first().waitFor();
      await screen(sup, "abstractions");
    });

    await must("the supervisor sees a note edited on two tablets at once side by side and keeps one version", async () => {
      const sup = supervisorPage;
      await navTo(sup, "Conflicts");
      const card = sup.locator("[data-conflict]").filter({ hasText: "Chief steward: march to start at noon" }).first();
      await card.waitFor({ timeout: 20_000 });
      check((await card.getByTestId("conflict-version").count()) === 2, "the two versions are not side by side");
      await card.locator('tr.differs[data-field="body.summary"]').getByText("differs").waitFor();
      check((await card.locator('tr.differs[data-field="body.spoke_with"]').count()) === 0, "a field both versions share is marked as differing");
      await screen(sup, "conflicts");
      // Kept without a reason: refused beside the field.
      await card.getByRole("button", { name: /^Keep this version/ }).first().click();
      await card.getByText("is required: why this version is kept").waitFor();
      await card.getByLabel(/^Why the version you keep/).fill("The steward confirmed 12:30 by phone.");
      await card.getByRole("button", { name: /^Keep this version/ }).first().click();
      await sup.getByRole("status").filter({ hasText: "tablets receive it at their next sync" }).waitFor();
      await sup.getByTestId("no-conflicts").waitFor();
    });

    await must("the supervisor reads the monitoring statistics and downloads them (CSV and PDF) and the operation's records, each with a purpose", async () => {
      const sup = supervisorPage;
      await navTo(sup, "Statistics");
      await sup.getByRole("heading", { name: "Monitored strand mentions by month and strand" }).waitFor();
      await screen(sup, "statistics");
      // Without a purpose: refused beside the field, nothing downloaded.
      await sup.getByTestId("stats-download").click();
      await sup.locator("#stats-purpose-error").waitFor();
      await sup.getByLabel("Purpose").fill("Hate crime IAG, quarterly figures");
      const [stats] = await Promise.all([sup.waitForEvent("download"), sup.getByTestId("stats-download").click()]);
      const statsFile = await stats.path();
      check(statsFile && readFileSync(statsFile, "utf8").startsWith("table,from,to,row_heading,row,column,value\r\n"), "the statistics CSV has its header");
      const [statsPdf] = await Promise.all([sup.waitForEvent("download"), sup.getByTestId("stats-download-pdf").click()]);
      const statsPdfFile = await statsPdf.path();
      check(statsPdf.suggestedFilename().endsWith(".pdf"), `the statistics report is named as a PDF: ${statsPdf.suggestedFilename()}`);
      check(statsPdfFile && readFileSync(statsPdfFile).subarray(0, 5).toString("latin1") === "%PDF-", "the statistics report is a PDF");
      await navTo(sup, "Exports");
      await sup.locator("#operation-export-id").selectOption(operationId);
      await sup.getByTestId("operation-export-download").click();
      await sup.locator("#operation-export-purpose-error").waitFor();
      await sup.locator("#operation-export-purpose").fill("console end-to-end test");
      const [records] = await Promise.all([sup.waitForEvent("download"), sup.getByTestId("operation-export-download").click()]);
      const recordsFile = await records.path();
      check(recordsFile && readFileSync(recordsFile, "utf8").startsWith("id,kind,title,occurred_at,"), "the operation's CSV has its header");
      await screen(sup, "exports");
    });

    await must("admin cannot disable their own account", async () => {
      await navTo(admin, "Staff");
      await admin.getByRole("button", { name: `Edit ${ADMIN_USER}`, exact: true }).click();
      const edit = admin.getByRole("region", { name: `Edit account ${ADMIN_USER}` });
      await edit.waitFor();
      check(
        await settles(admin, () => document.activeElement?.id === "staff-edit"),
        "opening the edit did not move the focus to its heading",
      );
      check((await edit.getByRole("button", { name: /^Disable account/ }).count()) === 0, "the admin is offered to disable their own account");
      await edit.getByText("You cannot disable your own account").waitFor();
      await edit.getByRole("button", { name: "Close" }).click();
      await edit.waitFor({ state: "hidden" });
      check(
        await settles(admin, (u) => document.activeElement?.getAttribute("data-edit") === u, ADMIN_USER),
        "closing the edit did not return the focus to its Edit button",
      );
    });

    await must("admin edits the supervisor's account: a refused password is shown beside its field", async () => {
      await admin.getByRole("button", { name: `Edit ${SUPERVISOR.username}`, exact: true }).click();
      const edit = admin.getByRole("region", { name: `Edit account ${SUPERVISOR.username}` });
      await edit.waitFor();
      await edit.getByLabel(/^New password/).fill(`${SUPERVISOR.username}-is-my-password`);
      await edit.getByRole("button", { name: `Set new password for ${SUPERVISOR.username}` }).click();
      await admin.locator("#new-password-error").waitFor();
      check(
        (await edit.getByLabel(/^New password/).getAttribute("aria-invalid")) === "true",
        "the refused password's field is not marked invalid",
      );
      await screen(admin, "staff-edit");
    });

    await must("admin disables the supervisor's account (a leaver): their session ends and sign-in is refused", async () => {
      const edit = admin.getByRole("region", { name: `Edit account ${SUPERVISOR.username}` });
      await edit.getByRole("button", { name: "Disable account (a leaver)" }).click();
      const dialog = admin.getByRole("dialog");
      await dialog.waitFor();
      const said = await dialog.innerText();
      check(said.includes("sessions end now") && said.includes("cannot sign in"), `the dialog does not state what disabling does: ${said}`);
      await screen(admin, "staff-disable-dialog");
      await dialog.getByRole("button", { name: "Disable account", exact: true }).click();
      await dialog.waitFor({ state: "hidden" });
      await admin.getByRole("status").filter({ hasText: `(${SUPERVISOR.username}) is disabled` }).waitFor();
      const row = admin.locator("#staff-accounts tbody tr").filter({ has: admin.getByRole("cell", { name: SUPERVISOR.username, exact: true }) });
      check((await row.innerText()).includes("Disabled"), "the list does not show the account as disabled");
      const enable = edit.getByRole("button", { name: `Enable account ${SUPERVISOR.username}` });
      await enable.waitFor();
      check(
        await settles(admin, (u) => document.activeElement?.textContent === `Enable account ${u}`, SUPERVISOR.username),
        "after disabling, the focus is not on the account's Enable button",
      );
      await screen(admin, "staff-disabled");

      // Their open page: its next request finds the session ended.
      check(supervisorPage, "the supervisor's page is not open");
      const sup = supervisorPage;
      await sup.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Operations", exact: true }).click();
      await sup.getByRole("heading", { name: "Sign in" }).waitFor();
      await sup.getByText("Your session has ended.").waitFor();
      // And the right password no longer signs them in.
      await sup.getByLabel("Username").fill(SUPERVISOR.username);
      await sup.getByLabel("Password").fill(SUPERVISOR.password);
      await sup.getByRole("button", { name: "Sign in" }).click();
      await sup.getByRole("alert").filter({ hasText: "Sign-in refused" }).waitFor();
      check((await sup.getByRole("navigation", { name: "Console" }).count()) === 0, "the disabled supervisor was signed in");
      await screen(sup, "sign-in-disabled-refused");
    });

    await must("admin signs out", async () => {
      await admin.getByRole("button", { name: "Sign out" }).click();
      await admin.getByRole("heading", { name: "Sign in" }).waitFor();
      await admin.getByText("You have signed out.").waitFor();
    });
  } catch (e) {
    fail(e instanceof StepFailure ? e.message : String(e && e.stack ? e.stack : e));
    for (const [i, p] of pages.entries()) {
      try {
        await p.screenshot({ path: join(SHOTS, `FAILED-${i}.png`), fullPage: true });
      } catch {
        // The page may be gone; the message says enough.
      }
    }
  } finally {
    await browser.close();
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`console e2e FAILED: ${f}`);
    console.error(`console e2e: ${failures.length} failure(s); screenshots in ${SHOTS}`);
    process.exit(1);
  }
  console.log(`console e2e passed: ${shotNo} screens checked with axe-core, screenshots in ${SHOTS}`);
}

main().catch((e) => {
  console.error(`console e2e FAILED: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
