// The SVG drawn over the image, in viewport coordinates (so strokes and text keep their size at any zoom):
// cross-reference lines, the marks of each layer (findings on the image they were made on, disc labels projected
// on the shown plane) and the points of a pick in progress. Status is carried by shape and words, never by colour
// alone: a draft is dashed and says "draft", a signed mark is solid with ✔, a retracted one dotted with ⊘, a warning
// has a triangle and ⚠.

import { s, clear } from '../dom.js';
import { toPixel } from './geometry.js';

const STATUS_ICON = { draft: '✎', signed: '✔', retracted: '⊘', amended: '✎' };

/** Disc labels are shown on a sagittal plane within this distance (mm); on other planes within half the slab. */
export const SAGITTAL_DISC_RANGE = 15;

export function createOverlay(viewport) {
  const crossGroup = s('g', { class: 'crossref' });
  const marksGroup = s('g', { class: 'marks' });
  const pickGroup = s('g', { class: 'pick-points' });
  const svg = s('svg', { class: 'viewer-overlay', 'aria-hidden': 'true', focusable: 'false' },
    crossGroup, marksGroup, pickGroup);
  viewport.append(svg);

  function resize(width, height) {
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  }

  /** lines: [{points: [[x, y], [x, y]], current, label, onSelect}] in image coordinates. */
  function drawCrossLines(lines, transform) {
    clear(crossGroup);
    for (const line of lines) {
      const [a, b] = line.points.map((p) => transform.toScreen(p));
      const attrs = { x1: a[0], y1: a[1], x2: b[0], y2: b[1] };
      const group = s('g', { class: ['crossref-line', line.current && 'current'], dataset: line.dataset });
      group.append(s('line', { ...attrs, class: 'crossref-stroke' }));
      const hit = s('line', { ...attrs, class: 'crossref-hit' }, s('title', {}, line.label));
      hit.addEventListener('pointerdown', (event) => { event.stopPropagation(); });
      hit.addEventListener('click', (event) => { event.stopPropagation(); line.onSelect(); });
      group.append(hit);
      crossGroup.append(group);
    }
  }

  function statusWords(mark) {
    const parts = [];
    if (mark.warning) parts.push('⚠');
    if (mark.status) parts.push(`${STATUS_ICON[mark.status] || '•'} ${mark.status}`);
    return parts.join(' ');
  }

  function label(x, y, text, extra) {
    return s('text', { x: x + 9, y: y - 9, class: ['mark-label', extra] }, text);
  }

  function findingShape(mark, points) {
    const cls = ['mark', 'mark-finding', `mark-status-${mark.status || 'none'}`, mark.warning && 'mark-warning'];
    const group = s('g', { class: cls, dataset: { markId: mark.id, status: mark.status || '' } });
    const [x, y] = points[0];
    if (points.length > 1) {
      group.append(s('polyline', { points: points.map((p) => p.join(',')).join(' '), class: 'mark-shape' }));
      for (const [px, py] of points) group.append(s('circle', { cx: px, cy: py, r: 2.5, class: 'mark-vertex' }));
    } else {
      group.append(s('circle', { cx: x, cy: y, r: 7, class: 'mark-shape' }));
      group.append(s('path', { d: `M${x - 3} ${y}H${x + 3}M${x} ${y - 3}V${y + 3}`, class: 'mark-cross' }));
    }
    if (mark.warning) {
      group.append(s('path', { d: `M${x} ${y - 17}L${x + 14} ${y + 10}L${x - 14} ${y + 10}Z`, class: 'mark-warning-shape' }));
    }
    group.append(label(x, y, [mark.label, statusWords(mark)].filter(Boolean).join(' · ')));
    return group;
  }

  function discShape(mark, point, distance) {
    const [x, y] = point;
    const group = s('g', { class: ['mark', 'mark-disc', mark.warning && 'mark-warning'], dataset: { markId: mark.id } });
    group.append(s('path', { d: `M${x} ${y - 6}L${x + 6} ${y}L${x} ${y + 6}L${x - 6} ${y}Z`, class: 'mark-shape' }));
    const away = Math.abs(distance) >= 1 ? ` (${Math.round(Math.abs(distance))} mm off)` : '';
    const words = statusWords(mark);
    group.append(s('text', { x: x - 10, y: y + 4, class: 'mark-label mark-disc-label', 'text-anchor': 'end' },
      `${mark.label}${away}${words ? ' · ' + words : ''}`));
    return group;
  }

  /**
   * layers: Map name → marks. shown: {sopInstanceUID, frame, geometry, plane, slab}. Findings appear on the image
   * they were made on; discs (kind 'disc', with `patient`) where their position lies near the shown plane.
   */
  function drawMarks(layers, shown, transform) {
    clear(marksGroup);
    for (const [name, marks] of layers) {
      const layer = s('g', { class: 'mark-layer', dataset: { layer: name } });
      for (const mark of marks) {
        if (mark.kind === 'disc') {
          const position = mark.patient && (Array.isArray(mark.patient[0]) ? mark.patient[0] : mark.patient);
          if (!shown.geometry || !position || position.length !== 3) continue;
          const { point, distance } = toPixel(shown.geometry, position);
          const range = shown.plane === 'sagittal' ? SAGITTAL_DISC_RANGE : Math.max(2, shown.slab / 2);
          if (Math.abs(distance) > range || !transform.inside(point)) continue;
          layer.append(discShape(mark, transform.toScreen(point), distance));
        } else {
          if (mark.sopInstanceUID !== shown.sopInstanceUID || (mark.frame || 0) !== shown.frame) continue;
          if (!Array.isArray(mark.points) || !mark.points.length) continue;
          layer.append(findingShape(mark, mark.points.map((p) => transform.toScreen(p))));
        }
      }
      marksGroup.append(layer);
    }
  }

  /** The points of a pick in progress (image coordinates); a polyline joins them. */
  function drawPick(points, transform) {
    clear(pickGroup);
    if (!points || !points.length) return;
    const screen = points.map((p) => transform.toScreen(p));
    if (screen.length > 1) pickGroup.append(s('polyline', { points: screen.map((p) => p.join(',')).join(' '), class: 'pick-line' }));
    for (const [x, y] of screen) pickGroup.append(s('circle', { cx: x, cy: y, r: 4, class: 'pick-point' }));
  }

  return { svg, resize, drawCrossLines, drawMarks, drawPick, destroy: () => svg.remove() };
}
