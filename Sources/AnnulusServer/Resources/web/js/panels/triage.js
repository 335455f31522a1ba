// Placeholder until the triage panel is built (issue 15).
import { h } from '../dom.js';

export function createTriagePanel(container) {
  container.append(h('p', { class: 'muted' }, 'Not built yet.'));
  return { refresh() {}, destroy() {} };
}
