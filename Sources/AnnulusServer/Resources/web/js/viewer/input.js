// Pointer and wheel input on the viewport: wheel scrolls slices (Ctrl+wheel zooms about the pointer), a drag pans
// (or windows, in window mode), a right-drag always windows, the middle button pans, a click places a pick point.
// A press that moves less than a few pixels is a click.

const CLICK_SLOP = 4;
const WHEEL_STEP = 50; // wheel delta (pixels) per slice; one notch of a mouse wheel is about 100

export function attachInput(viewport, actions) {
  let drag = null; // {kind: 'pan'|'window'|'click', x, y, lastX, lastY, id, moved}
  let wheelRest = 0;

  function local(event) {
    const r = viewport.getBoundingClientRect();
    return [event.clientX - r.left, event.clientY - r.top];
  }

  function onWheel(event) {
    event.preventDefault();
    const dy = event.deltaMode === 1 ? event.deltaY * 33 : event.deltaMode === 2 ? event.deltaY * 400 : event.deltaY;
    if (event.ctrlKey) {
      actions.zoom(Math.exp(-dy / 300), local(event));
      return;
    }
    wheelRest += dy;
    if (Math.abs(wheelRest) < WHEEL_STEP) return;
    const steps = Math.sign(wheelRest) * Math.max(1, Math.min(5, Math.floor(Math.abs(wheelRest) / (2 * WHEEL_STEP))));
    wheelRest = 0;
    actions.step(steps, 'wheel');
  }

  function onPointerDown(event) {
    if (drag || event.target.closest('.crossref-hit')) return;
    viewport.focus({ preventScroll: true });
    let kind;
    if (event.button === 2) kind = 'window';
    else if (event.button === 1) kind = 'pan';
    else if (event.button === 0) kind = actions.picking() ? 'click' : actions.windowMode() ? 'window' : 'pan';
    else return;
    event.preventDefault();
    drag = { kind, x: event.clientX, y: event.clientY, lastX: event.clientX, lastY: event.clientY, id: event.pointerId,
      moved: false, at: local(event) };
    viewport.setPointerCapture(event.pointerId);
    if (kind === 'window') actions.windowStart();
    viewport.classList.add(`dragging-${kind}`);
  }

  function onPointerMove(event) {
    if (!drag || event.pointerId !== drag.id) return;
    const dx = event.clientX - drag.lastX;
    const dy = event.clientY - drag.lastY;
    if (Math.hypot(event.clientX - drag.x, event.clientY - drag.y) >= CLICK_SLOP) drag.moved = true;
    drag.lastX = event.clientX;
    drag.lastY = event.clientY;
    if (drag.kind === 'pan' && (dx || dy)) actions.pan(dx, dy);
    if (drag.kind === 'window' && drag.moved) actions.windowMove(event.clientX - drag.x, event.clientY - drag.y);
  }

  function onPointerUp(event) {
    if (!drag || event.pointerId !== drag.id) return;
    const done = drag;
    drag = null;
    viewport.classList.remove(`dragging-${done.kind}`);
    if (viewport.hasPointerCapture(event.pointerId)) viewport.releasePointerCapture(event.pointerId);
    if (done.kind === 'window') actions.windowEnd(done.moved);
    if (done.kind === 'click' && !done.moved && event.type === 'pointerup') actions.click(done.at);
  }

  function onContextMenu(event) {
    event.preventDefault();
  }

  function onDoubleClick(event) {
    event.preventDefault();
    actions.doubleClick();
  }

  const handlers = [['wheel', onWheel, { passive: false }], ['pointerdown', onPointerDown], ['pointermove', onPointerMove],
    ['pointerup', onPointerUp], ['pointercancel', onPointerUp], ['contextmenu', onContextMenu], ['dblclick', onDoubleClick]];
  for (const [type, fn, options] of handlers) viewport.addEventListener(type, fn, options);
  return () => {
    for (const [type, fn, options] of handlers) viewport.removeEventListener(type, fn, options);
  };
}
