// Zoom and pan: the image is fitted to the viewport, then scaled by `zoom` about a point and moved by `pan`
// (screen pixels). Maps image pixel coordinates (SCOORD) to viewport coordinates and back, and applies itself to the
// image's element through the CSSOM (the Content-Security-Policy refuses style attributes).

export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 16;

export class ViewTransform {
  constructor() {
    this.zoom = 1;
    this.panX = 0;
    this.panY = 0;
    this.viewport = { width: 1, height: 1 };
    this.image = { columns: 1, rows: 1, width: 1, height: 1 }; // pixel grid and displayed (PNG) size
  }

  /** Sets the viewport size (CSS pixels) and the image: its pixel grid and the size of its PNG. */
  setSizes(viewport, image) {
    if (viewport) this.viewport = viewport;
    if (image) this.image = image;
  }

  /** The scale from PNG pixels to screen pixels at zoom 1 (the image fitted, with a small margin). */
  get fit() {
    const { width, height } = this.viewport;
    return Math.max(1e-3, Math.min((width - 8) / this.image.width, (height - 8) / this.image.height));
  }

  /** Screen pixels per PNG pixel. */
  get scale() {
    return this.fit * this.zoom;
  }

  /** The top-left corner of the image on screen. */
  get origin() {
    const s = this.scale;
    return [(this.viewport.width - this.image.width * s) / 2 + this.panX,
      (this.viewport.height - this.image.height * s) / 2 + this.panY];
  }

  /** Viewport coordinates of an image point [x, y] (SCOORD). */
  toScreen([x, y]) {
    const [ox, oy] = this.origin;
    const s = this.scale;
    return [ox + (x * this.image.width / this.image.columns) * s, oy + (y * this.image.height / this.image.rows) * s];
  }

  /** The image point (SCOORD) under viewport coordinates [sx, sy]. */
  toImage([sx, sy]) {
    const [ox, oy] = this.origin;
    const s = this.scale;
    return [((sx - ox) / s) * this.image.columns / this.image.width, ((sy - oy) / s) * this.image.rows / this.image.height];
  }

  /** True when an image point lies on the image. */
  inside([x, y]) {
    return x >= 0 && y >= 0 && x <= this.image.columns && y <= this.image.rows;
  }

  /** Zooms by `factor` keeping the viewport point [sx, sy] (default: the centre) where it is. */
  zoomBy(factor, at) {
    const [sx, sy] = at || [this.viewport.width / 2, this.viewport.height / 2];
    const before = this.toImage([sx, sy]);
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * factor));
    const after = this.toScreen(before);
    this.panX += sx - after[0];
    this.panY += sy - after[1];
  }

  panBy(dx, dy) {
    this.panX += dx;
    this.panY += dy;
  }

  reset() {
    this.zoom = 1;
    this.panX = 0;
    this.panY = 0;
  }

  /** Places `el` (the PNG at its natural size, transform-origin 0 0) on screen. */
  apply(el) {
    const [ox, oy] = this.origin;
    el.style.transform = `translate(${ox}px, ${oy}px) scale(${this.scale})`;
  }
}
