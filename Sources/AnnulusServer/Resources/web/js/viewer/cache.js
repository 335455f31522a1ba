// Rendered slices: fetched as PNG from the API, decoded once into an <img> whose source is a blob: URL, and kept in
// a bounded cache (least recently used first out, by count and by decoded bytes; the blob URL of every entry that
// leaves is revoked). Requests go through a small priority queue: the slice asked for first, then its neighbours
// (prefetch); a queued request that is no longer wanted is dropped before it starts. A busy server (503) is asked
// again after its Retry-After.

const MAX_ATTEMPTS = 4;

/** An error loading one slice, with the server's message when it sent one. */
export class SliceError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch { /* not JSON */ }
  return `the server answered HTTP ${response.status}`;
}

const wait = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => {
    clearTimeout(timer);
    reject(new DOMException('aborted', 'AbortError'));
  }, { once: true });
});

export class SliceCache {
  /**
   * maxEntries and maxBytes bound what is kept (decoded size: width × height × 4); concurrency bounds the requests
   * in flight.
   */
  constructor({ maxEntries = 96, maxBytes = 128 * 1024 * 1024, concurrency = 4 } = {}) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.concurrency = concurrency;
    this.entries = new Map(); // url → {url, img, blobURL, bytes}, oldest first
    this.bytes = 0;
    this.pending = new Map(); // url → {promise, resolve, reject, priority, controller, started}
    this.queue = []; // urls waiting to start
    this.running = 0;
    this.pinned = new Set(); // urls shown now: never evicted
    this.stats = { requested: 0, fetched: 0, hits: 0, evicted: 0, failed: 0 };
    this.destroyed = false;
  }

  /** The decoded entry of `url` if cached (and marks it recently used). */
  get(url) {
    const entry = this.entries.get(url);
    if (entry) {
      this.entries.delete(url);
      this.entries.set(url, entry);
      this.stats.hits += 1;
    }
    return entry;
  }

  has(url) {
    return this.entries.has(url);
  }

  /** True when `url` is cached or on its way. */
  known(url) {
    return this.entries.has(url) || this.pending.has(url);
  }

  /**
   * The decoded entry of `url`: from the cache, or fetched with `priority` (lower first). Calling again for a url
   * already on its way raises its priority and returns the same promise.
   */
  load(url, priority = 0) {
    const entry = this.get(url);
    if (entry) return Promise.resolve(entry);
    let job = this.pending.get(url);
    if (job) {
      job.priority = Math.min(job.priority, priority);
      return job.promise;
    }
    job = { priority, controller: new AbortController(), started: false };
    job.promise = new Promise((resolve, reject) => { job.resolve = resolve; job.reject = reject; });
    job.promise.catch(() => {}); // a prefetch nobody awaits must not be an unhandled rejection
    this.pending.set(url, job);
    this.queue.push(url);
    this.stats.requested += 1;
    this.pump();
    return job.promise;
  }

  /** Drops queued (not started) requests whose url `keep(url)` refuses. */
  prune(keep) {
    this.queue = this.queue.filter((url) => {
      if (keep(url)) return true;
      const job = this.pending.get(url);
      this.pending.delete(url);
      job.reject(new DOMException('no longer wanted', 'AbortError'));
      return false;
    });
  }

  /** Keeps `urls` (the slices on screen) from being evicted; the previous pins are released. */
  pin(urls) {
    this.pinned = new Set(urls);
    this.evict();
  }

  pump() {
    while (!this.destroyed && this.running < this.concurrency && this.queue.length) {
      let best = 0;
      for (let i = 1; i < this.queue.length; i++) {
        if (this.pending.get(this.queue[i]).priority < this.pending.get(this.queue[best]).priority) best = i;
      }
      const [url] = this.queue.splice(best, 1);
      const job = this.pending.get(url);
      job.started = true;
      this.running += 1;
      this.fetchOne(url, job).then(job.resolve, job.reject).finally(() => {
        this.running -= 1;
        this.pending.delete(url);
        this.pump();
      });
    }
  }

  async fetchOne(url, job) {
    const { signal } = job.controller;
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(url, { credentials: 'same-origin', signal });
      if (response.status === 503 && attempt < MAX_ATTEMPTS) {
        const seconds = Number(response.headers.get('Retry-After')) || 1;
        await wait(Math.min(seconds, 5) * 1000 * attempt, signal);
        continue;
      }
      if (!response.ok) {
        this.stats.failed += 1;
        if (response.status === 401) window.dispatchEvent(new CustomEvent('annulus:unauthenticated'));
        throw new SliceError(response.status, await errorMessage(response));
      }
      const blob = await response.blob();
      const blobURL = URL.createObjectURL(blob);
      const img = new Image();
      img.alt = '';
      img.decoding = 'sync';
      img.draggable = false;
      img.src = blobURL;
      try {
        await img.decode();
      } catch {
        URL.revokeObjectURL(blobURL);
        this.stats.failed += 1;
        throw new SliceError(0, 'the image could not be decoded');
      }
      if (this.destroyed) {
        URL.revokeObjectURL(blobURL);
        throw new DOMException('viewer closed', 'AbortError');
      }
      this.stats.fetched += 1;
      const entry = { url, img, blobURL, bytes: img.naturalWidth * img.naturalHeight * 4, width: img.naturalWidth,
        height: img.naturalHeight };
      this.entries.set(url, entry);
      this.bytes += entry.bytes;
      this.evict();
      return entry;
    }
  }

  evict() {
    for (const [url, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      if (this.pinned.has(url)) continue;
      this.entries.delete(url);
      this.bytes -= entry.bytes;
      // Revoked, the element is dropped with its decoded pixels. (Removing its src instead would give it a
      // broken-image shadow tree that Chromium keeps: six DOM nodes per slice, measured.)
      URL.revokeObjectURL(entry.blobURL);
      this.stats.evicted += 1;
    }
  }

  /** Counts for tests and the benchmark. */
  snapshot() {
    return { entries: this.entries.size, bytes: this.bytes, pending: this.pending.size, running: this.running,
      maxEntries: this.maxEntries, maxBytes: this.maxBytes, ...this.stats };
  }

  /** Aborts every request and revokes every blob URL. */
  destroy() {
    this.destroyed = true;
    for (const job of this.pending.values()) {
      job.controller.abort();
      job.reject(new DOMException('viewer closed', 'AbortError'));
    }
    this.pending.clear();
    this.queue = [];
    for (const entry of this.entries.values()) URL.revokeObjectURL(entry.blobURL);
    this.entries.clear();
    this.bytes = 0;
  }
}
