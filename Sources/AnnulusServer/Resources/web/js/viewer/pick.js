// Picking points on the image for a panel (a finding's anchor, a disc label): `point` resolves at the first click
// on the image; `polyline` adds a point per click and finishes on Enter or a double click (two points at least);
// Escape cancels (null). A visible prompt says what to do; the points are SCOORD pixel coordinates of the image
// shown, with patient positions when its geometry is known. Scrolling to another slice starts a polyline afresh.

import { toPatient } from './geometry.js';

const round2 = (v) => Math.round(v * 100) / 100;

export function createPicker({ promptElement, shortcuts, notify, redraw, shown }) {
  let active = null; // {mode, resolve, points, image: {sopInstanceUID, frame}, unbind: []}

  function setPrompt(text) {
    promptElement.textContent = text || '';
    promptElement.hidden = !text;
  }

  function finish(result) {
    if (!active) return;
    const { resolve, unbind } = active;
    active = null;
    for (const u of unbind) u();
    setPrompt('');
    redraw();
    resolve(result);
  }

  function result() {
    const { image, points } = active;
    return {
      sopInstanceUID: image.sopInstanceUID, frame: image.frame,
      points: points.map(([x, y]) => [round2(x), round2(y)]),
      patient: image.geometry ? points.map((p) => toPatient(image.geometry, p).map(round2)) : null,
    };
  }

  function complete() {
    if (!active) return;
    if (active.mode === 'polyline' && active.points.length < 2) {
      notify('A polyline needs two points at least: click the image again, or press Escape to cancel.', 'error');
      return;
    }
    finish(result());
  }

  return {
    get active() { return Boolean(active); },
    get points() { return active ? active.points : null; },

    /** Starts a pick (a pick in progress is cancelled first). */
    pick({ mode = 'point', prompt } = {}) {
      if (active) finish(null);
      if (mode !== 'point' && mode !== 'polyline') return Promise.reject(new Error(`unknown pick mode '${mode}'`));
      return new Promise((resolve) => {
        active = { mode, resolve, points: [], image: null, unbind: [] };
        active.unbind.push(shortcuts.bind('Escape', 'Cancel placing points on the image', () => finish(null), 'view'));
        if (mode === 'polyline') {
          active.unbind.push(shortcuts.bind('Enter', 'Finish the line on the image', complete, 'view'));
        }
        const how = mode === 'polyline'
          ? 'click each point of the line on the image, then press Enter or double-click to finish'
          : 'click the image';
        setPrompt(`${prompt ? prompt + ': ' : ''}${how}. Escape cancels.`);
        redraw();
      });
    },

    /** A click on the image at `point` (image coordinates, inside the image); true when it was taken. */
    click(point) {
      if (!active) return false;
      const image = shown();
      if (active.image && (active.image.sopInstanceUID !== image.sopInstanceUID || active.image.frame !== image.frame)) {
        active.points = [];
      }
      active.image = image;
      active.points.push(point);
      if (active.mode === 'point') finish(result());
      else redraw();
      return true;
    },

    /** A double click ends a polyline (its second click added the same point twice: one is dropped). */
    doubleClick() {
      if (!active || active.mode !== 'polyline') return;
      const p = active.points;
      if (p.length >= 2 && Math.hypot(p[p.length - 1][0] - p[p.length - 2][0], p[p.length - 1][1] - p[p.length - 2][1]) < 2) p.pop();
      complete();
    },

    /** The slice changed: the points of a polyline on the former one are dropped. */
    sliceChanged() {
      if (active && active.points.length) {
        active.points = [];
        active.image = null;
        notify('The slice changed: the line starts again on this one.', 'info');
        redraw();
      }
    },

    cancel: () => finish(null),
  };
}
