// The reading room's image viewer (the contract is in views/study.js): the series strip, a stack of slices scrolled
// by wheel, keys and a slider, the window by presets and by dragging, zoom and pan, orientation letters, slice
// position, cross-reference lines, marks from the panels, picking points for them, and the cine player.
//
// Frames are numbered from 0 everywhere in this API (as the stacks and the rendered-frame routes number them; an
// annotation's anchor numbers them from 1). Points are SCOORD pixel coordinates (geometry.js). A series of several
// stacks (axial blocks angled to each disc) scrolls through them in a row: current() gives `stack` and `index`
// within it, and `position` in the row (which data-slice-index and the slice marks count).
//
// For tests and benchmarks the stage carries data-slice-index, data-frame-index, data-series, data-plane,
// data-window, data-zoom, data-cache-entries and data-cache-bytes; the <img> shown carries data-rendered (its API
// URL); the stage element's `annulusViewer` property is this viewer. Performance marks:
// 'first-image' at the first paint, 'slice-request-<n>' when a scroll asks for slice n and 'slice-painted-<n>'
// when it is on screen. `viewer.cacheStats()` reports the slice cache.

import { get, seg } from '../api.js';
import { h } from '../dom.js';
import { SliceCache } from './cache.js';
import { createCinePlayer } from './cine.js';
import { crossLines } from './crossref.js';
import { edgeLabels, frameGeometry, slicePosition, toPatient as pixelToPatient } from './geometry.js';
import { attachInput } from './input.js';
import { createLayout } from './layout.js';
import { buildModel, frameURL, locate, maybeCine, requestSize } from './model.js';
import { createOverlay } from './overlay.js';
import { createPicker } from './pick.js';
import { createStrip } from './strip.js';
import { ViewTransform } from './transform.js';
import { attachWindowing } from './window-control.js';

const PREFETCH_AHEAD = 12;
const PREFETCH_BEHIND = 4;
const CINE_AHEAD = 10;

/**
 * Runs `callback(painted)` after the next frame is produced (rAF runs just before the frame's paint, a task queued
 * there runs after it); `painted` is what `onScreen()` said at rAF time: whether that frame shows the image.
 */
function afterPaint(onScreen, callback) {
  requestAnimationFrame(() => {
    const painted = onScreen();
    setTimeout(() => callback(painted), 0);
  });
}

export function createViewer({ strip, stage, study, notify, shortcuts }) {
  const model = buildModel(study);
  const el = createLayout(stage);
  const cache = new SliceCache();
  const transform = new ViewTransform();
  const overlay = createOverlay(el.viewport);
  const events = new EventTarget();
  const layers = new Map();
  const positions = new Map(); // series UID → the position shown last (in its slices, every stack in a row)
  const history = [];
  const requested = new Set(); // slice indices asked for by a scroll, not yet painted
  const cleanups = [];
  // index: the position in the series' slices (its stacks in a row); direction: of the last move, for prefetch.
  const state = { series: null, index: 0, direction: 1, cine: null, pendingFrame: 0 };
  let shown = null; // {entry, url, sopInstanceUID, frame, index}
  let sequence = 0;
  let loadingTimer = null;
  let destroyed = false;
  let firstPainted = false;
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });

  const seriesOf = () => model.byUID.get(state.series);
  const sliceOf = () => { const s = seriesOf(); return s ? s.slices[state.index] : null; };
  const stackOf = () => { const slice = sliceOf(); return slice ? seriesOf().stacks[slice.stackIndex] : null; };

  /** The image and frame to show now, with its instance and geometry. */
  function target() {
    const slice = sliceOf();
    if (!slice) return null;
    const instance = seriesOf().instances.get(slice.sopInstanceUID);
    const frame = state.cine ? player.frame : slice.frame;
    const geometry = frame === slice.frame ? slice.geometry : frameGeometry(instance, frame);
    return { sopInstanceUID: slice.sopInstanceUID, frame, instance, geometry };
  }

  const windowing = attachWindowing({
    el, notify, shortcuts,
    current: () => ({ series: state.series, target: target() }),
    rerender: (options) => showCurrent(options),
  });

  function urlFor(t, choice = windowing.choice()) {
    return frameURL(t.sopInstanceUID, t.frame, choice, requestSize(t.instance));
  }

  // --- painting ---------------------------------------------------------------------------------------------
  function showMessage(text) {
    el.message.textContent = text || '';
    el.message.hidden = !text;
  }

  function setLoading(on) {
    clearTimeout(loadingTimer);
    if (on) loadingTimer = setTimeout(() => stage.classList.add('loading'), 200);
    else stage.classList.remove('loading');
  }

  /** Shows the current target: at once from the cache, else when loaded. Resolves once painted (or failed). */
  function showCurrent({ prefetch = true, priority = 0 } = {}) {
    const t = target();
    if (!t) return Promise.resolve();
    const url = urlFor(t);
    const mine = ++sequence;
    const index = state.index;
    const cached = cache.get(url);
    const paint = (entry) => {
      if (mine !== sequence || destroyed) return Promise.resolve();
      return display(entry, t, url, index);
    };
    let done;
    if (cached) {
      done = paint(cached);
    } else {
      setLoading(true);
      done = cache.load(url, priority).then(paint, (error) => {
        if (mine !== sequence || error.name === 'AbortError') return;
        setLoading(false);
        showMessage(`This image could not be shown: ${error.message}`);
        resolveReady();
      });
    }
    if (prefetch) schedulePrefetch();
    return done;
  }

  function display(entry, t, url, index) {
    setLoading(false);
    showMessage('');
    if (!shown || shown.entry !== entry) {
      if (el.imageBox.firstChild !== entry.img) el.imageBox.replaceChildren(entry.img);
      entry.img.dataset.rendered = url;
      entry.img.alt = `${seriesOf().title}, ${sliceText(t)}`;
    }
    const sizeChanged = !shown || shown.entry.width !== entry.width || shown.entry.height !== entry.height ||
      transform.image.columns !== t.instance.columns || transform.image.rows !== t.instance.rows;
    const stack = stackOf();
    shown = { entry, url, sopInstanceUID: t.sopInstanceUID, frame: t.frame, index, geometry: t.geometry,
      seriesUID: state.series, plane: stack.plane, slab: stack.slab };
    if (sizeChanged) {
      el.imageBox.style.width = `${entry.width}px`;
      el.imageBox.style.height = `${entry.height}px`;
      transform.setSizes(null, { columns: t.instance.columns, rows: t.instance.rows, width: entry.width, height: entry.height });
    }
    cache.pin([url]);
    refresh();
    const painting = shown;
    return new Promise((resolve) => afterPaint(() => shown === painting, (painted) => {
      // A slice replaced before the frame was drawn was never on screen: no mark (the benchmark counts it dropped).
      if (painted && requested.has(index)) {
        performance.mark(`slice-painted-${index}`);
        requested.delete(index);
      }
      if (!firstPainted) {
        firstPainted = true;
        performance.mark('first-image');
      }
      resolveReady();
      resolve();
      windowing.learn();
    }));
  }

  function sliceText(t) {
    if (state.cine) return `frame ${t.frame + 1} of ${state.cine.frames}`;
    const series = seriesOf();
    const slice = sliceOf();
    const block = series.stacks.length > 1 ? `, block ${slice.stackIndex + 1} of ${series.stacks.length}` : '';
    return `slice ${state.index + 1} of ${series.slices.length}${block}` + (t.geometry ? `, ${slicePosition(t.geometry)}` : '');
  }

  /** Places the image, letters, facts and overlay for the current state. */
  function refresh() {
    const t = target();
    if (!t) return;
    transform.apply(el.imageBox);
    const labels = shown && shown.geometry ? edgeLabels(shown.geometry) : null; // of the image on screen
    for (const [edge, span] of Object.entries(el.letters)) {
      span.textContent = labels ? labels[edge] : '';
      span.hidden = !labels;
    }
    const stack = stackOf();
    const lines = [
      seriesOf().title,
      state.cine ? `Frame ${t.frame + 1} / ${state.cine.frames}` : `Slice ${state.index + 1} / ${seriesOf().slices.length}` +
        (seriesOf().stacks.length > 1 ? ` (block ${sliceOf().stackIndex + 1} / ${seriesOf().stacks.length})` : ''),
      t.geometry && !state.cine ? `${stack.plane} · ${slicePosition(t.geometry)}` : stack.plane !== 'unknown' ? stack.plane : '',
      `Window ${windowing.label()}`,
      transform.zoom !== 1 ? `Zoom ${Math.round(transform.zoom * 100)} %` : '',
    ];
    while (el.info.children.length < lines.length) el.info.append(h('div'));
    lines.forEach((line, i) => {
      const div = el.info.children[i];
      if (div.textContent !== line) div.textContent = line;
      div.hidden = !line;
    });
    el.slider.max = String(seriesOf().slices.length);
    el.slider.value = String(state.index + 1);
    const text = sliceText(t);
    el.sliceLabel.textContent = text.charAt(0).toUpperCase() + text.slice(1);
    el.slider.setAttribute('aria-valuetext', text);
    el.sliceControls.hidden = Boolean(state.cine) || seriesOf().slices.length < 2;
    Object.assign(stage.dataset, {
      sliceIndex: String(state.index), frameIndex: String(t.frame), series: state.series, plane: stack.plane,
      window: windowing.choice(), zoom: String(Math.round(transform.zoom * 1000) / 1000),
      cacheEntries: String(cache.entries.size), cacheBytes: String(cache.bytes),
    });
    drawOverlay();
  }

  /** The overlay belongs to the image on screen (while the next slice loads, the previous one is still shown). */
  function drawOverlay() {
    if (!shown) return;
    const lines = state.cine ? [] : crossLines(model, { seriesUID: shown.seriesUID, geometry: shown.geometry }, history,
      positions).map((line) => ({ ...line, onSelect: () => switchTo(line.target.seriesUID, line.target.position) }));
    overlay.drawCrossLines(lines, transform);
    overlay.drawMarks(layers, shown, transform);
    overlay.drawPick(picker.active ? picker.points : null, transform);
  }

  /** True when the image on screen is the one the slice controls name (not still loading). */
  const settled = () => {
    const t = target();
    return Boolean(shown && t && shown.sopInstanceUID === t.sopInstanceUID && shown.frame === t.frame &&
      shown.index === state.index && shown.seriesUID === state.series);
  };

  // --- prefetch -----------------------------------------------------------------------------------------------
  let prefetchQueued = false;
  function schedulePrefetch() {
    if (prefetchQueued) return;
    prefetchQueued = true;
    queueMicrotask(() => {
      prefetchQueued = false;
      prefetch();
    });
  }

  function prefetch() {
    const t = target();
    if (!t || destroyed) return;
    const wanted = new Set([urlFor(t)]);
    const add = (sopInstanceUID, frame, priority) => {
      const instance = seriesOf().instances.get(sopInstanceUID);
      const url = urlFor({ sopInstanceUID, frame, instance });
      wanted.add(url);
      if (!cache.known(url)) cache.load(url, priority);
    };
    if (state.cine) {
      player.upcoming(CINE_AHEAD).forEach((frame, i) => add(t.sopInstanceUID, frame, i + 1));
    } else {
      const slices = seriesOf().slices;
      const d = state.direction;
      for (let k = 1; k <= PREFETCH_AHEAD + PREFETCH_BEHIND; k++) {
        const ahead = k <= PREFETCH_AHEAD;
        const i = ahead ? state.index + d * k : state.index - d * (k - PREFETCH_AHEAD);
        if (i >= 0 && i < slices.length) add(slices[i].sopInstanceUID, slices[i].frame, ahead ? k : 2 * k);
      }
    }
    cache.prune((url) => wanted.has(url));
  }

  // --- navigation ---------------------------------------------------------------------------------------------
  function emitChange() {
    events.dispatchEvent(new CustomEvent('slicechange', { detail: viewer.current() }));
  }

  /** Moves to slice `index` of the series (a scroll, a key, the slider). */
  function goToIndex(index, source = 'scroll') {
    const series = seriesOf();
    if (!series) return;
    const i = Math.max(0, Math.min(series.slices.length - 1, index));
    if (i === state.index) return;
    state.direction = i > state.index ? 1 : -1;
    state.index = i;
    positions.set(state.series, i);
    requested.add(i);
    performance.mark(`slice-request-${i}`);
    picker.sliceChanged();
    showCurrent();
    emitChange();
    void source;
  }

  function step(by, source) {
    if (state.cine) {
      player.step(by > 0 ? 1 : -1);
      return;
    }
    goToIndex(state.index + by, source);
  }

  async function setupCine() {
    const t = target();
    state.cine = null;
    player.hide();
    if (!t || !maybeCine(t.instance) || seriesOf().slices.length !== 1) return;
    const seriesUID = state.series;
    try {
      const timing = await get(`/api/instances/${seg(t.sopInstanceUID)}/cine`);
      if (destroyed || state.series !== seriesUID || !timing.isCine) return;
      state.cine = timing;
      player.load(timing);
      const frame = Math.min(state.pendingFrame, timing.frames - 1);
      state.pendingFrame = 0;
      if (frame > 0) player.go(frame); else showCurrent();
    } catch (error) {
      notify(`The cine's frame rate could not be read: ${error.message}`, 'error');
    }
  }

  /** Shows series `uid` at `position` in its slices (default: where it was left, else the first stack's middle). */
  function switchTo(uid, position) {
    const series = model.byUID.get(uid);
    if (!series || !series.slices.length) {
      notify('That series has no image to show.', 'error');
      return false;
    }
    const changedSeries = state.series !== uid;
    if (picker.active && changedSeries) picker.sliceChanged();
    const middle = Math.floor(series.stacks[0].slices.length / 2);
    state.series = uid;
    state.index = Math.max(0, Math.min(series.slices.length - 1, position ?? positions.get(uid) ?? middle));
    state.direction = 1;
    positions.set(uid, state.index);
    const at = history.indexOf(uid);
    if (at >= 0) history.splice(at, 1);
    history.push(uid);
    requested.clear();
    if (changedSeries) {
      transform.reset();
      state.cine = null;
      player.hide();
      stripView.select(uid);
      el.title.textContent = series.title;
      windowing.seriesChanged();
    }
    showCurrent();
    if (changedSeries) setupCine();
    emitChange();
    return true;
  }

  function cycleSeries(by) {
    const list = model.series.filter((s) => s.stacks.length);
    const at = list.findIndex((s) => s.uid === state.series);
    const next = list[(at + by + list.length) % list.length];
    if (next) switchTo(next.uid);
  }

  // --- parts ----------------------------------------------------------------------------------------------------
  const stripView = createStrip(strip, model, (uid) => switchTo(uid));
  const player = createCinePlayer({ showFrame: () => showCurrent() });
  el.footer.append(player.element);
  const picker = createPicker({
    promptElement: el.prompt, shortcuts, notify,
    redraw: () => { stage.classList.toggle('picking', picker.active); drawOverlay(); },
    shown: () => ({ sopInstanceUID: shown.sopInstanceUID, frame: shown.frame, geometry: shown.geometry }),
  });

  cleanups.push(attachInput(el.viewport, {
    step,
    zoom: (factor, at) => { transform.zoomBy(factor, at); refresh(); },
    pan: (dx, dy) => { transform.panBy(dx, dy); transform.apply(el.imageBox); drawOverlay(); },
    picking: () => picker.active,
    windowMode: () => windowing.dragMode(),
    windowStart: () => windowing.dragStart(),
    windowMove: (dx, dy) => windowing.dragMove(dx, dy),
    windowEnd: (moved) => windowing.dragEnd(moved),
    click: (at) => {
      const point = transform.toImage(at);
      if (!transform.inside(point)) {
        notify('That point is outside the image: click on the image itself.', 'error');
        return;
      }
      if (!settled()) {
        notify('The slice is still loading: click again once it is shown.', 'error');
        return;
      }
      picker.click(point);
    },
    doubleClick: () => picker.doubleClick(),
  }));

  el.slider.addEventListener('input', () => goToIndex(Number(el.slider.value) - 1, 'slider'));
  el.zoomIn.addEventListener('click', () => { transform.zoomBy(1.25); refresh(); });
  el.zoomOut.addEventListener('click', () => { transform.zoomBy(0.8); refresh(); });
  el.reset.addEventListener('click', () => resetView());

  function resetView() {
    transform.reset();
    windowing.reset();
    refresh();
  }

  const resizeObserver = new ResizeObserver(() => {
    const r = el.viewport.getBoundingClientRect();
    transform.setSizes({ width: r.width, height: r.height }, null);
    overlay.resize(r.width, r.height);
    if (shown) refresh();
  });
  resizeObserver.observe(el.viewport);
  cleanups.push(() => resizeObserver.disconnect());
  {
    const r = el.viewport.getBoundingClientRect();
    transform.setSizes({ width: r.width, height: r.height }, null);
    overlay.resize(r.width, r.height);
  }

  const page = () => Math.max(1, Math.round((seriesOf() ? seriesOf().slices.length : 10) / 10));
  const keys = [
    ['ArrowUp', 'Previous slice (or cine frame)', () => step(-1, 'key')],
    ['ArrowDown', 'Next slice (or cine frame)', () => step(1, 'key')],
    ['PageUp', 'Back a tenth of the series', () => goToIndex(state.index - page(), 'key')],
    ['PageDown', 'Forward a tenth of the series', () => goToIndex(state.index + page(), 'key')],
    ['Home', 'First slice', () => (state.cine ? player.go(0) : goToIndex(0, 'key'))],
    ['End', 'Last slice', () => (state.cine ? player.go(state.cine.frames - 1) : goToIndex(Infinity, 'key'))],
    ['ArrowLeft', 'Previous slice (or cine frame)', () => step(-1, 'key')],
    ['ArrowRight', 'Next slice (or cine frame)', () => step(1, 'key')],
    ['p', 'Play or pause the cine', () => state.cine && player.toggle()],
    ['[', 'Previous series', () => cycleSeries(-1)],
    [']', 'Next series', () => cycleSeries(1)],
    ['+', 'Zoom in', () => { transform.zoomBy(1.25); refresh(); }],
    ['=', 'Zoom in', () => { transform.zoomBy(1.25); refresh(); }],
    ['-', 'Zoom out', () => { transform.zoomBy(0.8); refresh(); }],
    ['0', 'Reset zoom, pan and window', resetView],
  ];
  for (const [key, description, handler] of keys) shortcuts.bind(key, description, handler, 'view');

  const viewer = Object.assign(events, {
    ready,
    showSeries(seriesUID) {
      const series = model.byUID.get(seriesUID);
      switchTo(seriesUID, series && series.stacks.length ? Math.floor(series.stacks[0].slices.length / 2) : 0);
    },
    goTo({ sopInstanceUID, frame = 0 }) {
      const found = locate(model, sopInstanceUID, frame);
      if (!found) {
        notify('That image is not in this study.', 'error');
        return false;
      }
      state.pendingFrame = 0;
      switchTo(found.series.uid, found.position);
      if (state.cine) player.go(frame);
      else if (frame && maybeCine(found.series.instances.get(sopInstanceUID))) state.pendingFrame = frame;
      return true;
    },
    current() {
      const t = target();
      if (!t) return null;
      const slice = sliceOf();
      return { series: state.series, stack: slice.stackIndex, index: slice.index, position: state.index,
        sopInstanceUID: t.sopInstanceUID, frame: t.frame, plane: stackOf().plane };
    },
    toPatient(sopInstanceUID, frame, point) {
      for (const series of model.series) {
        const instance = series.instances.get(sopInstanceUID);
        if (!instance) continue;
        const g = frameGeometry(instance, frame || 0);
        return g ? pixelToPatient(g, point) : null;
      }
      return null;
    },
    pick(options) {
      return picker.pick(options);
    },
    setMarks(layer, marks) {
      layers.set(layer, Array.isArray(marks) ? marks : []);
      drawOverlay();
    },
    cacheStats: () => cache.snapshot(),
    destroy() {
      destroyed = true;
      picker.cancel();
      player.destroy();
      clearTimeout(loadingTimer);
      for (const cleanup of cleanups) cleanup();
      cache.destroy();
      overlay.destroy();
      delete stage.annulusViewer;
    },
  });
  // For tests and tools: the viewer is reachable from its stage element (no global).
  stage.annulusViewer = viewer;

  // --- start ----------------------------------------------------------------------------------------------------
  const first = model.series.find((s) => s.slices.length);
  if (first) {
    switchTo(first.uid);
  } else {
    el.title.textContent = 'No images';
    showMessage('This study has no image to show.');
    resolveReady();
  }
  return viewer;
}
