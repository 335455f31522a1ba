// Cross-reference lines: where the slices of another series' stacks cut the image shown (sagittal ↔ axial), from
// the geometry of the study document. The reference series is the one viewed most recently whose planes are not
// parallel to the shown one (else the first such series); its slice shown last is highlighted.

import { frameGeometry, intersection, parallel } from './geometry.js';

/**
 * The lines on the shown slice: [{points, current, label, target: {seriesUID, position}, dataset}].
 * model: the viewer's study model; shown: {seriesUID, geometry}; history: series UIDs, most recent last;
 * positions: Map series UID → the position (in its slices) shown last.
 */
export function crossLines(model, shown, history, positions) {
  if (!shown.geometry) return [];
  const candidates = model.series.filter((series) => series.uid !== shown.seriesUID &&
    series.slices.some((slice) => slice.geometry && !parallel(slice.geometry, shown.geometry)));
  if (!candidates.length) return [];
  const recent = [...history].reverse().map((uid) => candidates.find((c) => c.uid === uid)).find(Boolean);
  const reference = recent || candidates[0];
  // Not viewed yet: the slice it would open at (its first stack's middle).
  const currentPosition = positions.get(reference.uid) ?? Math.floor(reference.stacks[0].slices.length / 2);
  const lines = [];
  reference.slices.forEach((slice, position) => {
    if (!slice.geometry) return;
    const points = intersection(shown.geometry, slice.geometry);
    if (!points) return;
    const stack = reference.stacks[slice.stackIndex];
    const block = reference.stacks.length > 1 ? `, block ${slice.stackIndex + 1} of ${reference.stacks.length}` : '';
    lines.push({
      points, current: position === currentPosition,
      label: `${reference.title}: slice ${slice.index + 1} of ${stack.slices.length}${block} (click to show it)`,
      target: { seriesUID: reference.uid, position },
      dataset: { series: reference.uid, position: String(position) },
    });
  });
  // The highlighted line last, so it is drawn on top.
  return lines.sort((a, b) => Number(a.current) - Number(b.current));
}

/** The geometry of each slice of a stack (null where unknown). */
export function stackGeometries(stack, instances) {
  return stack.slices.map((slice) => frameGeometry(instances.get(slice.sopInstanceUID), slice.frame));
}
