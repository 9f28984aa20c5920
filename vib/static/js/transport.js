// The transport bar under the player: play/pause, frame steps, mute, speed and the timeline's zoom
// buttons. Buttons call the playback and the timeline; their state follows the video's and the
// timeline's events.
export function wireTransport(root, playback, timeline, messages) {
  const video = playback.video;
  const play = root.querySelector("[data-transport=play]");
  const showState = () => {
    const playing = playback.playing;
    play.textContent = playing ? "❚❚" : "▶";
    play.setAttribute("aria-label", playing ? messages.pause : messages.play);
    play.title = play.getAttribute("aria-label");
  };
  video.addEventListener("play", showState);
  video.addEventListener("pause", showState);
  showState();
  play.addEventListener("click", () => playback.toggle());
  video.addEventListener("click", () => playback.toggle());
  root.querySelector("[data-transport=back]").addEventListener("click", () => playback.stepFrames(-1));
  root.querySelector("[data-transport=forward]").addEventListener("click", () => playback.stepFrames(1));
  const mute = root.querySelector("[data-transport=mute]");
  mute.addEventListener("click", () => { video.muted = !video.muted; mute.setAttribute("aria-pressed", String(video.muted)); });
  const speed = root.querySelector("select[name=speed]");
  speed.addEventListener("change", () => playback.setRate(Number(speed.value)));
  video.addEventListener("ratechange", () => { speed.value = String(video.playbackRate); });
  const zoom = (name) => root.querySelector(`[data-zoom=${name}]`);
  zoom("in").addEventListener("click", () => timeline.zoomBy(2));
  zoom("out").addEventListener("click", () => timeline.zoomBy(0.5));
  zoom("fit").addEventListener("click", () => timeline.zoomToFit());
  timeline.addEventListener("zoom", ({ detail }) => {
    const focused = document.activeElement;
    zoom("out").disabled = detail.fitted;
    zoom("fit").disabled = detail.fitted;
    zoom("in").disabled = detail.max;
    // A button that disables itself would drop the focus to the page's start: it goes to the other
    // way of zooming instead.
    if (focused?.disabled && focused.dataset.zoom) {
      const other = focused.dataset.zoom === "in" ? zoom("out") : zoom("in");
      (other.disabled ? play : other).focus();
    }
  });
  zoom("out").disabled = zoom("fit").disabled = timeline.fitted;
}
