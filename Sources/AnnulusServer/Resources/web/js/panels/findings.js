// Placeholder until the findings panel is built (issue 15).
import { h } from '../dom.js';

export function createFindingsPanel(container) {
  container.append(h('p', { class: 'muted' }, 'Not built yet.'));
  return { refresh() {}, destroy() {} };
}
