// The series strip: one button per series with its thumbnail (the middle slice of its first stack), number,
// description, plane and image count; the series shown is marked (aria-current and a border with a ▶ marker).

import { seg } from '../api.js';
import { h, replace } from '../dom.js';

function middleSlice(series) {
  const stack = series.stacks[0];
  return stack ? stack.slices[Math.floor(stack.slices.length / 2)] : null;
}

/** Fills `strip` and returns {select(seriesUID)}; `onSelect(seriesUID)` is called on a click. */
export function createStrip(strip, model, onSelect) {
  const buttons = new Map();
  const list = h('ol', { class: 'series-list' });
  for (const series of model.series) {
    const slice = middleSlice(series);
    const stack = series.stacks[0];
    const count = series.slices.length;
    const plane = stack && stack.plane !== 'unknown' ? stack.plane : '';
    const frames = slice && series.instances.get(slice.sopInstanceUID);
    const blocks = series.stacks.length > 1 ? ` in ${series.stacks.length} blocks` : '';
    const detail = frames && frames.frames > 1 && count === 1 ? `${frames.frames} frames`
      : `${count} image${count === 1 ? '' : 's'}${blocks}`;
    const button = h('button', {
      type: 'button', class: 'series-button', dataset: { series: series.uid },
      'aria-label': `Show series ${series.title}, ${[plane, detail].filter(Boolean).join(', ')}`,
      onclick: () => onSelect(series.uid),
    },
    slice ? h('img', { class: 'series-thumb', alt: '', loading: 'lazy', decoding: 'async', width: '112', height: '112',
      src: `/api/instances/${seg(slice.sopInstanceUID)}/thumbnail` }) : h('span', { class: 'series-thumb empty' }, 'no image'),
    h('span', { class: 'series-title' }, series.title),
    h('span', { class: 'series-detail' }, [plane, detail].filter(Boolean).join(' · ')));
    buttons.set(series.uid, button);
    list.append(h('li', {}, button));
  }
  replace(strip, h('h2', { class: 'visually-hidden' }, 'Series'), list);
  return {
    select(uid) {
      for (const [key, button] of buttons) {
        if (key === uid) button.setAttribute('aria-current', 'true'); else button.removeAttribute('aria-current');
      }
      const current = buttons.get(uid);
      if (current) current.scrollIntoView({ block: 'nearest' });
    },
  };
}
