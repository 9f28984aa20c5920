// Coding by touch (a tablet): the scheme's codes as large buttons under the timeline. A tap marks the
// frame on screen; pressed and held while the clip plays, a code marks a span from the press to the
// release, exactly as its key does (Hotkeys.press/release, and the same save queue behind them).
// Undo is a button. The palette shows itself on a touch screen (a coarse pointer) or at the first
// touch anywhere on the page; a mouse or a keyboard can use it too (Enter or Space marks a point).
export class TouchPalette {
  constructor(root, { page, hotkeys }) {
    this.root = root;
    this.page = page;
    this.hotkeys = hotkeys;
    this.pressed = new Set(); // pointer presses whose click must not mark a second time
    if (window.matchMedia?.("(pointer: coarse)").matches) this.show();
    else document.addEventListener("pointerdown", (e) => { if (e.pointerType === "touch") this.show(); }, { capture: true, once: false });
    for (const button of root.querySelectorAll("button[data-code]")) this.wire(button);
    root.querySelector("[data-palette=undo]")?.addEventListener("click", () => this.page.travel("undo"));
  }

  show() {
    this.root.hidden = false;
  }

  wire(button) {
    const code = this.hotkeys.codes.find((c) => c.id === button.dataset.code);
    if (!code) return;
    const id = (e) => `palette:${e.pointerId}`;
    button.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      button.setPointerCapture?.(e.pointerId); // the release counts even if the finger slid off
      this.pressed.add(button);
      this.hotkeys.press(id(e), code);
    });
    const release = (e) => this.hotkeys.release(id(e));
    button.addEventListener("pointerup", release);
    button.addEventListener("pointercancel", release);
    // A click that no pointer press made (Enter or Space on the focused button) marks a point.
    button.addEventListener("click", (e) => {
      if (this.pressed.delete(button) && e.detail !== 0) return;
      this.hotkeys.press(`click:${code.id}`, code);
      this.hotkeys.release(`click:${code.id}`);
    });
    // A long press must not open the browser's menu for the button.
    button.addEventListener("contextmenu", (e) => e.preventDefault());
  }
}
