// The viewer's picture of a study, from GET /api/studies/{uid}: each series with its instances (by SOP Instance
// UID) and its stacks (slices in spatial order, each with its plane geometry), a title, and where the slice images
// come from (the rendered-frame URL of a slice for a window and size).

import { seg } from '../api.js';
import { stackGeometries } from './crossref.js';
import { planeOf } from './geometry.js';

/** Images larger than this are asked for at this longest side (a screen shows no more). */
export const MAX_SIDE = 1024;

/** Half of a stack's slab beyond which a disc label is not shown on a non-sagittal plane is capped here (mm). */
const MAX_HALF_SLAB = 12;

function seriesTitle(series) {
  const number = series.seriesNumber !== undefined ? `#${series.seriesNumber} ` : '';
  return `${number}${series.seriesDescription || series.modality || 'Series'}`;
}

export function buildModel(study) {
  const series = study.series.map((s) => {
    const instances = new Map(s.instances.map((i) => [i.sopInstanceUID, i]));
    let stacks = s.stacks.filter((stack) => stack.slices.length);
    if (!stacks.length && s.instances.length) {
      // No stack from the server (no geometry at all): the instances in their order, first frame each.
      stacks = [{ plane: 'unknown', issues: [], slices: s.instances.map((i) => ({ sopInstanceUID: i.sopInstanceUID, frame: 0 })) }];
    }
    const built = stacks.map((stack) => {
      const geometries = stackGeometries(stack, instances);
      const g = geometries.find(Boolean);
      const locations = stack.slices.map((slice) => slice.location).filter(Number.isFinite);
      const spacing = Number.isFinite(stack.spacing) ? stack.spacing : 0;
      const extent = locations.length ? Math.max(...locations) - Math.min(...locations) + spacing : spacing;
      const plane = stack.plane && stack.plane !== 'unknown' ? stack.plane : (g ? planeOf(g) : 'unknown');
      return { ...stack, plane, geometries, slab: Math.min(2 * MAX_HALF_SLAB, Math.max(extent, 2 * spacing, 4)) };
    });
    // The slices of every stack in a row: a series of several stacks (axial blocks angled to each disc) scrolls
    // from one block into the next.
    const offsets = [];
    const slices = [];
    built.forEach((stack, stackIndex) => {
      offsets.push(slices.length);
      stack.slices.forEach((slice, index) => slices.push({ ...slice, stackIndex, index, geometry: stack.geometries[index] }));
    });
    return {
      uid: s.seriesInstanceUID, title: seriesTitle(s), modality: s.modality || '', description: s.seriesDescription || '',
      instances, stacks: built, slices, offsets, instanceCount: s.instanceCount, frameCount: s.frameCount,
    };
  });
  return { series, byUID: new Map(series.map((s) => [s.uid, s])) };
}

/** The series and the position in its slices (all stacks in a row) of an image and frame, or null. */
export function locate(model, sopInstanceUID, frame = 0) {
  for (const series of model.series) {
    if (!series.instances.has(sopInstanceUID)) continue;
    let position = series.slices.findIndex((s) => s.sopInstanceUID === sopInstanceUID && s.frame === frame);
    if (position < 0) position = series.slices.findIndex((s) => s.sopInstanceUID === sopInstanceUID);
    if (position >= 0) return { series, position };
  }
  return null;
}

/** The longest side to ask for, or null for the stored grid. */
export function requestSize(instance) {
  const side = Math.max(instance ? instance.rows : 0, instance ? instance.columns : 0);
  return side > MAX_SIDE ? MAX_SIDE : null;
}

/** The rendered-frame URL of a frame for a window choice. */
export function frameURL(sopInstanceUID, frame, windowChoice, size) {
  const query = `window=${encodeURIComponent(windowChoice)}` + (size ? `&size=${size}` : '');
  return `/api/instances/${seg(sopInstanceUID)}/frames/${frame}/rendered?${query}`;
}

/** True when an instance may be a cine (several frames that no stack scrolls as slices). */
export function maybeCine(instance) {
  return Boolean(instance && instance.frames > 1 && !(instance.perFrameGeometry && instance.perFrameGeometry.length > 1));
}
