// The window controls: the choice per series (auto, the file's windows, the server's presets, a dragged C,W), the
// <select> that offers them, the drag mode toggle, and dragging itself: at most one rendering of a dragged window
// in flight, the newest one asked for next (so a fast drag never queues stale renderings).

import { h } from '../dom.js';
import { WindowFacts, choiceLabel, dragged } from './windowing.js';

const FALLBACK_PRESETS = ['preset:t2-spine', 'preset:mr'];

export function attachWindowing({ el, notify, shortcuts, current, rerender }) {
  const facts = new WindowFacts();
  const choices = new Map(); // series UID → choice
  const offered = new Map(); // series UID → {fileWindows, presets}
  let dragMode = false;
  let drag = null; // {base: Promise<{center, width}>, window: {center, width} | null, rendering, next}

  const choice = () => choices.get(current().series) || 'auto';

  function fill() {
    const { series } = current();
    const known = offered.get(series) || { fileWindows: [], presets: FALLBACK_PRESETS };
    const selected = choice();
    const values = ['auto', ...known.fileWindows.map((_, i) => `file:${i + 1}`), ...known.presets];
    if (!values.includes(selected)) values.push(selected);
    el.windowSelect.replaceChildren(...values.map((value) =>
      h('option', { value }, (/^-?[\d.]+,[\d.]+$/.test(value) ? 'Custom: ' : '') + choiceLabel(value, known.fileWindows))));
    el.windowSelect.value = selected;
  }

  const learning = new Set();
  async function learn(series) {
    const { target } = current();
    if (!target || offered.has(series) || learning.has(series)) return;
    learning.add(series);
    try {
      const answer = await facts.resolve(target.sopInstanceUID, target.frame, 'auto');
      offered.set(series, { fileWindows: answer.fileWindows, presets: answer.presets });
      if (current().series === series) fill();
    } catch {
      // A colour image has no window: only `auto` (shown as stored) is offered; asked once per series.
      offered.set(series, { fileWindows: [], presets: [] });
      if (current().series === series) fill();
    } finally {
      learning.delete(series);
    }
  }

  function set(value, options) {
    const { series } = current();
    if (!series) return;
    choices.set(series, value);
    fill();
    return rerender(options);
  }

  el.windowSelect.addEventListener('change', () => set(el.windowSelect.value));
  function toggleMode() {
    dragMode = !dragMode;
    el.windowMode.setAttribute('aria-pressed', String(dragMode));
    el.windowMode.classList.toggle('active', dragMode);
  }
  el.windowMode.addEventListener('click', toggleMode);
  shortcuts.bind('l', 'Drag to window (on/off)', toggleMode, 'view');
  shortcuts.bind('v', 'Next window preset', () => {
    const options = [...el.windowSelect.options].map((o) => o.value);
    set(options[(options.indexOf(choice()) + 1) % options.length]);
  }, 'view');

  function renderDragged() {
    if (!drag || drag.rendering || !drag.next) return;
    const value = drag.next;
    drag.next = null;
    drag.rendering = true;
    const mine = drag;
    Promise.resolve(set(value, { prefetch: false })).finally(() => {
      mine.rendering = false;
      if (drag === mine) renderDragged();
    });
  }

  return {
    choice,
    label: () => choiceLabel(choice(), (offered.get(current().series) || { fileWindows: [] }).fileWindows),
    dragMode: () => dragMode,
    seriesChanged: fill,
    /** Asks the server for the series' file windows and presets (once; after its first image is on screen). */
    learn: () => learn(current().series),
    reset() {
      const { series } = current();
      if (choices.get(series) && choices.get(series) !== 'auto') set('auto');
    },
    dragStart() {
      const { target } = current();
      if (!target) return;
      // The start window comes from the server; moves made before it arrives are applied when it does.
      const state = { window: null, rendering: false, next: null, offset: null, ended: false };
      drag = state;
      facts.resolve(target.sopInstanceUID, target.frame, choice()).then((answer) => {
        state.window = answer.window;
        if (state.offset) {
          state.next = dragged(state.window, ...state.offset);
          if (state.ended) set(state.next); else renderDragged();
        }
      }, (error) => {
        if (drag === state || state.ended) notify(`The window cannot be changed here: ${error.message}`, 'error');
      });
    },
    dragMove(dx, dy) {
      if (!drag) return;
      drag.offset = [dx, dy];
      if (!drag.window) return;
      drag.next = dragged(drag.window, dx, dy);
      renderDragged();
    },
    dragEnd(moved) {
      const done = drag;
      drag = null;
      if (!moved || !done) return;
      done.ended = true;
      if (!done.window) return; // applied when the start window arrives
      if (done.next) set(done.next); else rerender({ prefetch: true });
    },
  };
}
