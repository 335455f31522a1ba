// The disc-label routes (docs/api.md, "Disc labels"), in one place so that a change of their field names touches
// this module only. Answers are normalised to:
// The server's label is {level, position [x, y, z], image {seriesInstanceUID, sopInstanceUID, frame (from 0),
// points [[x, y]]}}; the page uses
//   label   {level, sopInstanceUID, frame (from 0), point [x, y], patient [x, y, z] | null}
//   current {labels, basis, version, author, createdAt, next}
//   nearest {level, distanceMm, runnerUp: {level, distanceMm} | null}

import { get, post, put, seg } from '../api.js';
import { viewerAnchor } from './common.js';

const base = (studyUID) => `/api/studies/${seg(studyUID)}/discs`;

function position(value) {
  if (Array.isArray(value) && value.length === 3) return value;
  if (value && typeof value === 'object' && 'x' in value) return [value.x, value.y, value.z];
  return null;
}

function label(raw) {
  const anchor = viewerAnchor(raw.anchor || raw.image || raw);
  return {
    level: raw.level,
    sopInstanceUID: anchor ? anchor.sopInstanceUID : null,
    frame: anchor ? anchor.frame : 0,
    point: anchor ? anchor.points[0] : null,
    patient: position(raw.position || raw.patientPosition) ||
      (anchor && anchor.patient && anchor.patient[0]) || null,
  };
}

function level(value) {
  if (!value) return null;
  return typeof value === 'string' ? value : value.level || null;
}

function version(raw) {
  return {
    labels: (raw.labels || []).map(label),
    basis: raw.basis || raw.numberingBasis || 'unknown',
    version: raw.version || null,
    author: raw.author || null,
    createdAt: raw.createdAt || null,
    reason: raw.reason || null,
    next: level(raw.next || raw.proposedNext),
  };
}

/** The study's current labels (and the proposed next disc). */
export async function current(studyUID) {
  return version(await get(base(studyUID)));
}

/** Every version, oldest first. */
export async function history(studyUID) {
  const raw = await get(`${base(studyUID)}/history`);
  return (raw.versions || raw.history || []).map(version);
}

/**
 * Stores a new version: `labels` as [{level, anchor: {sopInstanceUID, frame, points}}]; `expectedVersion` (0: none)
 * makes the server refuse (409) a set someone else changed meanwhile instead of replacing it.
 */
export async function save(studyUID, { basis, labels, reason, expectedVersion }) {
  const body = { basis, labels };
  if (reason) body.reason = reason;
  if (Number.isInteger(expectedVersion)) body.expectedVersion = expectedVersion;
  return version(await put(base(studyUID), body));
}

/** The labelled disc nearest an anchor; null when nothing is labelled yet (409 no-disc-labels). */
export async function nearest(studyUID, anchor) {
  try {
    const raw = await post(`${base(studyUID)}/nearest`, { anchor });
    const runner = raw.runnerUp || null;
    return {
      level: level(raw.level) || level(raw.nearest),
      distanceMm: raw.distanceMm ?? (raw.nearest && raw.nearest.distanceMm),
      runnerUp: runner ? { level: level(runner), distanceMm: runner.distanceMm } : null,
    };
  } catch (error) {
    if (error.status === 409) return null;
    throw error;
  }
}
