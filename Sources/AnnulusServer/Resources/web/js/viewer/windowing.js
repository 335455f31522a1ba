// Window (centre/width) choices: `auto`, the file's windows (`file:N`), the server's presets (`preset:NAME`) and
// an explicit `C,W` reached by dragging. The server renders every choice (the PNG URL's `window=`); dragging starts
// from the numbers the current choice resolves to on the shown frame (GET …/frames/{n}/window).

import { get, seg } from '../api.js';

/** Human names of the presets the server offers (unknown ones are shown by their own name). */
const PRESET_NAMES = {
  'preset:t2-spine': 'T2 spine', 'preset:mr': 'MR (robust range)', 'preset:soft-tissue': 'CT soft tissue',
  'preset:bone': 'CT bone', 'preset:lung': 'CT lung', 'preset:brain': 'CT brain',
};

/** The label of a window choice: "Auto", "File 1 (T2 SPINE)", "T2 spine", "C 1600 W 2800". */
export function choiceLabel(choice, fileWindows = []) {
  if (choice === 'auto') return 'Auto (file or image range)';
  if (choice.startsWith('file:')) {
    const n = Number(choice.slice(5));
    const w = fileWindows[n - 1];
    return `File ${n}` + (w ? ` (${w.explanation ? w.explanation + ', ' : ''}C ${round(w.center)} W ${round(w.width)})` : '');
  }
  if (choice.startsWith('preset:')) return PRESET_NAMES[choice] || choice.slice(7);
  const [c, w] = choice.split(',');
  return `C ${c} W ${w}`;
}

export const round = (v) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 10) / 10);

/** `C,W` of numbers, as the API spells an explicit window (width at least 1). */
export function explicit(center, width) {
  return `${round(center)},${round(Math.max(1, width))}`;
}

/** What the server says a choice resolves to on one frame, with the file's windows and the presets (cached). */
export class WindowFacts {
  constructor() {
    this.cache = new Map();
  }

  async resolve(sopInstanceUID, frame, choice) {
    const key = `${sopInstanceUID}/${frame}/${choice}`;
    if (!this.cache.has(key)) {
      const promise = get(`/api/instances/${seg(sopInstanceUID)}/frames/${frame}/window?window=${encodeURIComponent(choice)}`);
      this.cache.set(key, promise);
      promise.catch(() => this.cache.delete(key));
    }
    return this.cache.get(key);
  }
}

/**
 * Window by dragging: from a start window, horizontal movement changes the width and vertical the centre, each
 * pixel worth a 256th of the start width (at least one unit). Returns the `C,W` choice for a drag of (dx, dy).
 */
export function dragged(start, dx, dy) {
  const step = Math.max(1, start.width / 256);
  return explicit(start.center + dy * step, start.width + dx * step);
}

/** Keyboard nudges: a step of 1/32 of the width. */
export function nudged(start, dCenter, dWidth) {
  const step = Math.max(1, start.width / 32);
  return explicit(start.center + dCenter * step, start.width + dWidth * step);
}
