// The coding page's shortcut settings (in the keys legend): turn single-key shortcuts off (then Alt+key
// marks, WCAG 2.1.4) and give a code another key. Stored with the user (PUT /api/account/shortcuts), so
// they follow the user to every device; the server refuses a key that cannot work and says why.
import { request } from "./api.js";

// The keys the form asks for, as the API takes them: only those that differ from the scheme's, merged
// into the user's keys of codes of other schemes (not on this page).
export function ownKeys(entries, stored = {}) {
  const keys = { ...stored };
  for (const { code, value, scheme } of entries) {
    const key = value.trim().toLowerCase();
    if (key && key !== scheme) keys[code] = key; else delete keys[code];
  }
  return keys;
}

export class ShortcutSettings {
  // hotkeys: the page's Hotkeys (configure()); settings: the user's, as loaded; loaded: whether they were.
  constructor(form, { hotkeys, settings, loaded }) {
    this.form = form;
    this.hotkeys = hotkeys;
    this.settings = settings;
    this.status = form.querySelector(".settings-status");
    this.show(settings);
    if (!loaded) this.say(form.dataset.loadFailed, true);
    form.addEventListener("submit", (e) => { e.preventDefault(); this.save(); });
    form.querySelector("[data-action=defaults]").addEventListener("click", () => {
      for (const input of this.inputs) input.value = input.dataset.default;
      this.save();
    });
  }

  get inputs() { return [...this.form.querySelectorAll("input[name=key]")]; }

  show({ single_keys: single = true, keys = {} }) {
    this.form.elements.namedItem("single_keys").checked = single;
    for (const input of this.inputs) {
      input.value = keys[input.dataset.code] ?? input.dataset.default;
      input.removeAttribute("aria-invalid");
    }
    // The legend and the touch palette show each code's key as it works now.
    for (const item of document.querySelectorAll(".legend .code-keys li[data-code], .touch-palette button[data-code]")) {
      const key = keys[item.dataset.code] ?? this.form.querySelector(`input[data-code="${CSS.escape(item.dataset.code)}"]`)?.dataset.default ?? "";
      item.querySelector("kbd").textContent = key ? (single ? key : `Alt+${key}`) : "";
      if (item.matches("li")) item.hidden = !key; // a palette button is tapped, key or not
    }
  }

  say(text, problem = false) {
    this.status.textContent = text;
    this.status.classList.toggle("error", problem);
  }

  async save() {
    const body = {
      single_keys: this.form.elements.namedItem("single_keys").checked,
      keys: ownKeys(this.inputs.map((i) => ({ code: i.dataset.code, value: i.value, scheme: i.dataset.default })), this.settings.keys),
    };
    let answer;
    try {
      answer = await request("PUT", this.form.dataset.url, body);
    } catch (error) {
      this.say(error.message, true);
      return;
    }
    if (!answer.ok) {
      this.say(answer.body?.error ?? answer.statusText, true);
      return;
    }
    this.settings = answer.body;
    this.hotkeys.configure(answer.body);
    this.show(answer.body);
    this.say(this.form.dataset.saved);
  }
}
