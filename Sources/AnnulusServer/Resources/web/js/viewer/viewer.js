// Placeholder viewer until the real one is built (issue 15): shows the middle slice of the first stack.
import { h } from '../dom.js';

export function createViewer({ strip, stage, study }) {
  const series = study.series.find((s) => s.stacks.length) || study.series[0];
  const stack = series && series.stacks[0];
  const slice = stack && stack.slices[Math.floor(stack.slices.length / 2)];
  const target = new EventTarget();
  const img = slice ? h('img', { src: `/api/instances/${slice.sopInstanceUID}/frames/${slice.frame}/rendered`,
    alt: 'image' }) : h('p', {}, 'No image');
  stage.append(img);
  strip.append(h('p', {}, study.series.length + ' series'));
  return Object.assign(target, {
    ready: slice ? img.decode().catch(() => {}) : Promise.resolve(),
    showSeries() {}, goTo() {}, current: () => null, toPatient: () => null, pick: async () => null,
    setMarks() {}, destroy() {},
  });
}
