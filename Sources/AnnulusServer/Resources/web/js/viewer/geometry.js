// Image geometry in patient space (LPS, mm): a frame's plane from the study document, pixel ↔ patient mapping,
// orientation letters, the line where another slice's plane cuts this image, and distances to the plane.
//
// Pixel coordinates are DICOM SCOORD (docs/annotations.md, "Image anchors"): x the column, y the row, fractional,
// (0, 0) the top-left corner of the top-left pixel, whose centre is (0.5, 0.5). Image Position (Patient) is the
// centre of the first pixel:  P = position + (x − 0.5) · columnSpacing · row + (y − 0.5) · rowSpacing · column.

export const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a, k) => [a[0] * k, a[1] * k, a[2] * k];
export const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm = (a) => Math.hypot(a[0], a[1], a[2]);

const finite = (list, n) => Array.isArray(list) && list.length === n && list.every((v) => Number.isFinite(v));

/**
 * The plane of `frame` (from 0) of an instance of the study document: {position, row, column, normal,
 * rowSpacing, columnSpacing, rows, columns}, or null when the geometry is incomplete (projection images).
 */
export function frameGeometry(instance, frame = 0) {
  if (!instance) return null;
  const perFrame = instance.perFrameGeometry && instance.perFrameGeometry[frame];
  const pick = (key) => (perFrame && perFrame[key]) || instance[key];
  const position = pick('imagePosition');
  const orientation = pick('imageOrientation');
  const spacing = pick('pixelSpacing');
  if (!finite(position, 3) || !finite(orientation, 6) || !finite(spacing, 2)) return null;
  if (!(spacing[0] > 0 && spacing[1] > 0)) return null;
  const row = orientation.slice(0, 3);
  const column = orientation.slice(3, 6);
  const n = cross(row, column);
  const length = norm(n);
  if (!(length > 0.5)) return null;
  return {
    position, row, column, normal: scale(n, 1 / length), rowSpacing: spacing[0], columnSpacing: spacing[1],
    rows: instance.rows, columns: instance.columns,
  };
}

/** The patient position (mm, LPS) of pixel point [x, y] (SCOORD). */
export function toPatient(g, [x, y]) {
  return add(g.position, add(scale(g.row, (x - 0.5) * g.columnSpacing), scale(g.column, (y - 0.5) * g.rowSpacing)));
}

/** The pixel point [x, y] (SCOORD) of a patient position projected on the plane, and its signed distance (mm). */
export function toPixel(g, p) {
  const d = sub(p, g.position);
  return {
    point: [dot(d, g.row) / g.columnSpacing + 0.5, dot(d, g.column) / g.rowSpacing + 0.5],
    distance: dot(d, g.normal),
  };
}

/** The letters of a direction (LPS), strongest axis first, each axis named from 0.3 on (as the server's). */
export function letters(direction) {
  const axes = [[direction[0], 'L', 'R'], [direction[1], 'P', 'A'], [direction[2], 'S', 'I']];
  return axes.filter(([v]) => Math.abs(v) >= 0.3).sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .map(([v, positive, negative]) => (v > 0 ? positive : negative)).join('');
}

/** The patient directions at the four edges: {top, bottom, left, right}. */
export function edgeLabels(g) {
  return {
    right: letters(g.row), left: letters(scale(g.row, -1)),
    bottom: letters(g.column), top: letters(scale(g.column, -1)),
  };
}

/** 'sagittal' | 'coronal' | 'axial' | 'oblique' from the normal (the dominant axis at 0.8 and above). */
export function planeOf(g) {
  const [x, y, z] = g.normal.map(Math.abs);
  if (x >= 0.8) return 'sagittal';
  if (y >= 0.8) return 'coronal';
  if (z >= 0.8) return 'axial';
  return 'oblique';
}

/** Where the slice is along its normal's main axis, as a radiologist reads it: "L 4.4 mm", "S 120.0 mm". */
export function slicePosition(g) {
  const centre = toPatient(g, [g.columns / 2, g.rows / 2]);
  const axis = [0, 1, 2].reduce((best, i) => (Math.abs(g.normal[i]) > Math.abs(g.normal[best]) ? i : best), 0);
  const value = centre[axis];
  const letter = [['L', 'R'], ['P', 'A'], ['S', 'I']][axis][value >= 0 ? 0 : 1];
  return `${letter} ${Math.abs(value).toFixed(1)} mm`;
}

/** True when two planes are close to parallel (no useful intersection line). */
export function parallel(a, b) {
  return Math.abs(dot(a.normal, b.normal)) > 0.94;
}

// Clips the line {p + t·d} to a rectangle [x0, x1] × [y0, y1] (Liang–Barsky): [t0, t1] or null.
function clipLine(p, d, x0, y0, x1, y1, range = [-Infinity, Infinity]) {
  let [t0, t1] = range;
  const edges = [[-d[0], p[0] - x0], [d[0], x1 - p[0]], [-d[1], p[1] - y0], [d[1], y1 - p[1]]];
  for (const [q, r] of edges) {
    if (Math.abs(q) < 1e-12) {
      if (r < 0) return null;
    } else {
      const t = r / q;
      if (q < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
    }
  }
  return t0 <= t1 ? [t0, t1] : null;
}

/**
 * The segment where the plane of `other` cuts the image `shown`, limited to both images' extents: [[x, y], [x, y]]
 * in `shown`'s pixel coordinates, or null (parallel planes, or the planes meet outside either image).
 */
export function intersection(shown, other) {
  if (parallel(shown, other)) return null;
  // Points P(x, y) of the shown image with other.normal · (P − other.position) = 0: a·x + b·y + c = 0.
  const u = scale(shown.row, shown.columnSpacing);
  const v = scale(shown.column, shown.rowSpacing);
  const origin = sub(shown.position, add(scale(u, 0.5), scale(v, 0.5))); // the patient position of (0, 0)
  const a = dot(other.normal, u);
  const b = dot(other.normal, v);
  const c = dot(other.normal, sub(origin, other.position));
  const length = Math.hypot(a, b);
  if (length < 1e-9) return null;
  const p = [(-a * c) / (length * length), (-b * c) / (length * length)]; // the line's point nearest (0, 0)
  const d = [-b / length, a / length];
  let range = clipLine(p, d, 0, 0, shown.columns, shown.rows);
  if (!range) return null;
  // Limit to the other image's extent: map the line into its pixel space, where it is again a line.
  const at = (t) => [p[0] + t * d[0], p[1] + t * d[1]];
  const q0 = toPixel(other, toPatient(shown, at(0))).point;
  const q1 = toPixel(other, toPatient(shown, at(1))).point;
  range = clipLine(q0, [q1[0] - q0[0], q1[1] - q0[1]], 0, 0, other.columns, other.rows, range);
  if (!range || range[1] - range[0] < 1e-6) return null;
  return [at(range[0]), at(range[1])];
}
