// The cine player for multi-frame images whose frames are moments in time (fluoroscopy): play/pause, a frame
// slider and the file's frame rate (GET /api/instances/{uid}/cine: Frame Time, Frame Time Vector, Cine Rate,
// Recommended Display Frame Rate, else 10 frames per second). Playback loops; each frame stays up for its time,
// and a frame that is not yet loaded is waited for (frames are never skipped).

import { h, uid } from '../dom.js';

export function createCinePlayer({ showFrame }) {
  let timing = null;
  let frame = 0;
  let playing = false;
  let timer = null;
  let generation = 0;

  const sliderID = uid('cine-frame');
  const playButton = h('button', { type: 'button', class: 'cine-play', 'aria-label': 'Play the cine (P)',
    onclick: () => toggle() }, '▶ Play');
  const slider = h('input', { id: sliderID, type: 'range', min: '1', max: '1', value: '1', class: 'cine-slider',
    'aria-label': 'Cine frame' });
  const label = h('span', { class: 'cine-label', 'aria-live': 'off' });
  const element = h('div', { class: 'cine-controls', role: 'group', 'aria-label': 'Cine player', hidden: true },
    playButton, h('label', { for: sliderID, class: 'visually-hidden' }, 'Frame'), slider, label);
  slider.addEventListener('input', () => {
    pause();
    go(Number(slider.value) - 1, true);
  });

  const delay = (n) => (timing.frameTimesMs ? timing.frameTimesMs[n] : timing.frameTimeMs) || 100;

  function render() {
    if (!timing) return;
    slider.value = String(frame + 1);
    const fps = 1000 / timing.frameTimeMs;
    label.textContent = `Frame ${frame + 1} / ${timing.frames} · ${fps >= 10 ? Math.round(fps) : fps.toFixed(1)} fps` +
      ` (${timing.source === 'default' ? 'default rate: the file gives none' : timing.source})`;
    slider.setAttribute('aria-valuetext', `Frame ${frame + 1} of ${timing.frames}`);
    playButton.textContent = playing ? '❚❚ Pause' : '▶ Play';
    playButton.setAttribute('aria-label', playing ? 'Pause the cine (P)' : 'Play the cine (P)');
    playButton.setAttribute('aria-pressed', String(playing));
  }

  async function go(n, fromUser = false) {
    if (!timing) return;
    frame = ((n % timing.frames) + timing.frames) % timing.frames;
    render();
    await showFrame(frame, { fromUser });
  }

  function schedule(started) {
    const mine = generation;
    const wait = Math.max(0, delay(frame) - (performance.now() - started));
    timer = setTimeout(async () => {
      if (!playing || mine !== generation) return;
      const tick = performance.now();
      await go(frame + 1);
      if (playing && mine === generation) schedule(tick);
    }, wait);
  }

  function play() {
    if (!timing || playing) return;
    playing = true;
    generation += 1;
    render();
    schedule(performance.now());
  }

  function pause() {
    playing = false;
    generation += 1;
    clearTimeout(timer);
    render();
  }

  function toggle() {
    if (playing) pause(); else play();
  }

  return {
    element,
    /** Shows the controls for an instance's timing ({frames, frameTimeMs, frameTimesMs, source}) at frame 0. */
    load(cineTiming) {
      pause();
      timing = cineTiming;
      frame = 0;
      slider.max = String(timing.frames);
      element.hidden = false;
      render();
    },
    hide() {
      pause();
      timing = null;
      element.hidden = true;
    },
    get active() { return Boolean(timing); },
    get playing() { return playing; },
    get frame() { return frame; },
    step(by) {
      pause();
      return go(frame + by, true);
    },
    go: (n) => { pause(); return go(n, true); },
    toggle, play, pause,
    /** The frames to load next, in playback order. */
    upcoming(count) {
      if (!timing) return [];
      return Array.from({ length: Math.min(count, timing.frames - 1) }, (_, i) => (frame + i + 1) % timing.frames);
    },
    destroy() { pause(); },
  };
}
