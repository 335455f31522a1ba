// The viewer's elements: a toolbar (series title, window choice, window-drag mode, zoom), the viewport (image,
// SVG overlay, orientation letters, slice facts, the pick prompt, messages) and a footer (slice slider with its
// label, or the cine player). Every control has a label for screen readers.

import { h, uid, replace } from '../dom.js';

export function createLayout(stage) {
  const windowID = uid('window-choice');
  const sliderID = uid('slice-slider');
  const el = {};
  el.title = h('h2', { class: 'viewer-title' });
  el.windowSelect = h('select', { id: windowID, class: 'window-choice', 'aria-label': 'Window (contrast) preset' },
    h('option', { value: 'auto' }, 'Auto (file or image range)'));
  el.windowMode = h('button', { type: 'button', class: 'window-mode', 'aria-pressed': 'false',
    'aria-label': 'Window by dragging with the left button (L); the right button always does' }, '◐ Drag window');
  el.zoomOut = h('button', { type: 'button', 'aria-label': 'Zoom out (-)' }, '−');
  el.zoomIn = h('button', { type: 'button', 'aria-label': 'Zoom in (+)' }, '+');
  el.reset = h('button', { type: 'button', 'aria-label': 'Reset zoom, pan and window (0)' }, 'Reset');
  el.toolbar = h('div', { class: 'viewer-toolbar', role: 'toolbar', 'aria-label': 'Image tools' },
    el.title,
    h('span', { class: 'tool-group' }, h('label', { for: windowID }, 'Window'), el.windowSelect, el.windowMode),
    h('span', { class: 'tool-group', role: 'group', 'aria-label': 'Zoom' }, el.zoomOut, el.zoomIn, el.reset));

  el.imageBox = h('div', { class: 'viewer-image' });
  el.letters = Object.fromEntries(['top', 'bottom', 'left', 'right'].map((edge) =>
    [edge, h('span', { class: ['orientation', `orientation-${edge}`], dataset: { edge } })]));
  el.info = h('div', { class: 'viewer-info' });
  el.prompt = h('div', { class: 'pick-prompt', role: 'status', 'aria-live': 'assertive', hidden: true });
  el.message = h('div', { class: 'viewer-message', role: 'alert', hidden: true });
  el.viewport = h('div', {
    class: 'viewer-viewport', tabindex: '0',
    'aria-label': 'Image. Wheel or arrow keys: slices; Ctrl+wheel or + and -: zoom; drag: pan; right-drag: window',
  }, el.imageBox, ...Object.values(el.letters), el.info, el.prompt, el.message);

  el.slider = h('input', { id: sliderID, type: 'range', min: '1', max: '1', value: '1', class: 'slice-slider' });
  el.sliceLabel = h('output', { for: sliderID, class: 'slice-label' });
  el.sliceControls = h('div', { class: 'slice-controls' },
    h('label', { for: sliderID }, 'Slice'), el.slider, el.sliceLabel);
  el.footer = h('div', { class: 'viewer-footer' }, el.sliceControls);

  replace(stage, el.toolbar, el.viewport, el.footer);
  stage.classList.add('viewer-ready');
  return el;
}
