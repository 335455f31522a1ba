// The hand-off panel: export the study's findings as a FHIR R4 transaction Bundle or the native findings document
// (POST /api/studies/{uid}/exports; offered for download from a blob URL), send the Bundle to the EHR endpoint the
// server is configured with (POST /api/studies/{uid}/deliveries), and the study's deliveries with every attempt
// (GET /api/deliveries?study=) with a retry for pending ones (POST /api/deliveries/{id}/retry).

import { get, post, seg } from '../api.js';
import { badge, h, replace, uid, when } from '../dom.js';
import { listen, showError, unavailable } from './common.js';

/** The file name the command line would use: the accession when it is a plain name, else the Study Instance UID. */
function fileStem(study) {
  const accession = study.accessionNumber || '';
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/.test(accession) ? accession : study.studyInstanceUID;
}

const DELIVERY_STATE = { delivered: 'delivered', pending: 'pending', failed: 'failed' };
const OUTCOME_WORDS = { delivered: 'delivered', retry: 'not delivered yet: kept for retry', failed: 'refused' };

export function createHandoffPanel(container, context) {
  const { study, bus, notify, session, shortcuts } = context;
  const summary = study.study;
  const studyUID = summary.studyInstanceUID;
  const canExport = session.can('export');
  const canDeliveries = session.can('deliveries');
  let blobURL = null;
  let destroyed = false;
  const cleanups = [];

  if (!canExport && !canDeliveries) {
    container.append(unavailable('Exports and deliveries are done by coordinators and integrators: your role ' +
      'has neither the export nor the deliveries permission.'));
    return { refresh() {}, destroy() {} };
  }

  // --- export ----------------------------------------------------------------------------------------------------
  const exportResult = h('div', { class: 'export-result', role: 'status', 'aria-live': 'polite' });
  const exportError = h('div', { hidden: true });
  const draftsID = uid('export-drafts');
  const drafts = h('input', { type: 'checkbox', id: draftsID, name: 'includeDrafts' });
  const formatName = uid('format');
  const formats = [['fhir', 'FHIR R4 Bundle'], ['findings', 'Native findings document']].map(([value, label], i) => {
    const id = uid(`format-${value}`);
    return h('span', { class: 'check' },
      h('input', { type: 'radio', id, name: formatName, value, checked: i === 0 }), h('label', { for: id }, label));
  });
  const exportButton = h('button', { type: 'submit', class: 'primary', id: 'export-button' }, 'Export');
  const deliverButton = h('button', { type: 'button', id: 'deliver-button' }, 'Send to the EHR');
  const exportForm = h('form', { class: 'export-form', 'aria-label': 'Export' },
    h('fieldset', {}, h('legend', {}, 'Format'), formats),
    h('span', { class: 'check' }, drafts, h('label', { for: draftsID }, 'Include draft findings (marked preliminary)')),
    h('div', { class: 'form-buttons' }, exportButton, deliverButton),
    exportError, exportResult);

  function format() {
    return exportForm.querySelector(`input[name="${formatName}"]:checked`).value;
  }

  function revoke() {
    if (blobURL) URL.revokeObjectURL(blobURL);
    blobURL = null;
  }

  async function exportDocument() {
    showError(exportError, null);
    exportButton.disabled = true;
    try {
      const chosen = format();
      const document_ = await post(`/api/studies/${seg(studyUID)}/exports`,
        { format: chosen, includeDrafts: drafts.checked });
      revoke();
      const text = JSON.stringify(document_, null, 2) + '\n';
      blobURL = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const name = `${fileStem(summary)}${chosen === 'fhir' ? '.fhir.json' : '.findings.json'}`;
      const described = chosen === 'fhir'
        ? `FHIR ${document_.type || ''} Bundle with ${(document_.entry || []).length} entries`
        : `findings document with ${(document_.findings || []).length} findings`;
      replace(exportResult, h('p', {}, `Exported: ${described}. `,
        h('a', { href: blobURL, download: name, class: 'download-link', id: 'export-download' }, `Download ${name}`),
        ` (${text.length.toLocaleString()} bytes)`));
    } catch (error) {
      showError(exportError, error, 'Not exported');
    } finally {
      exportButton.disabled = false;
    }
  }

  async function deliver() {
    showError(exportError, null);
    deliverButton.disabled = true;
    replace(exportResult, h('p', { class: 'muted' }, 'Sending the FHIR Bundle…'));
    try {
      const result = await post(`/api/studies/${seg(studyUID)}/deliveries`, { includeDrafts: drafts.checked });
      const word = OUTCOME_WORDS[result.outcome] || result.outcome;
      replace(exportResult, h('p', { class: 'delivery-result', dataset: { outcome: result.outcome } },
        badge(result.outcome === 'retry' ? 'pending' : result.outcome, word),
        ` Delivery ${result.deliveryID.slice(0, 8)}, attempt ${result.attempts}: ${result.message}`));
      notify(`FHIR Bundle ${word}.`, result.outcome === 'delivered' ? 'ok' : 'error');
      loadDeliveries();
    } catch (error) {
      replace(exportResult);
      showError(exportError, error, 'Not sent');
    } finally {
      deliverButton.disabled = false;
    }
  }

  exportForm.addEventListener('submit', (event) => { event.preventDefault(); exportDocument(); });
  deliverButton.addEventListener('click', deliver);

  // --- deliveries ------------------------------------------------------------------------------------------------
  const deliveriesArea = h('div', { class: 'deliveries', id: 'deliveries', 'aria-live': 'polite' });
  const deliveriesError = h('div', { hidden: true });

  async function loadDeliveries() {
    if (!canDeliveries) return;
    try {
      const { deliveries } = await get(`/api/deliveries?study=${encodeURIComponent(studyUID)}`);
      if (destroyed) return;
      showError(deliveriesError, null);
      replace(deliveriesArea, deliveries.length
        ? h('ol', { class: 'delivery-list' }, deliveries.slice().reverse().map(deliveryItem))
        : h('p', { class: 'muted' }, 'Nothing was delivered for this study yet.'));
    } catch (error) {
      if (!destroyed) showError(deliveriesError, error, 'The deliveries could not be loaded');
    }
  }

  function deliveryItem(d) {
    const retry = d.state === 'pending' ? h('button', { type: 'button', class: 'retry-button',
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          const result = await post(`/api/deliveries/${seg(d.id)}/retry`);
          notify(`Delivery ${d.id.slice(0, 8)}: ${OUTCOME_WORDS[result.outcome] || result.outcome}.`,
            result.outcome === 'delivered' ? 'ok' : 'error');
        } catch (error) {
          notify(`Not retried: ${error.message}`, 'error');
        }
        loadDeliveries();
      } }, 'Retry now') : null;
    return h('li', { class: 'delivery', dataset: { id: d.id, state: d.state } },
      h('div', {}, badge(DELIVERY_STATE[d.state] || 'pending', d.state), ` to ${d.url} `,
        h('span', { class: 'muted' }, `(${d.id.slice(0, 8)})`), ' ', retry),
      h('ol', { class: 'attempts', 'aria-label': 'Attempts' }, d.attempts.map((a) => h('li', { dataset: {
        attempt: a.attempt, outcome: a.outcome } },
      h('div', { class: 'attempt-head' }, `#${a.attempt} · ${when(a.at)} · ${a.outcome}`,
        a.httpStatus === null ? ' · no answer' : ` · HTTP ${a.httpStatus}`),
      h('div', { class: 'attempt-message' }, a.message)))));
  }

  container.append(
    canExport ? h('section', { 'aria-labelledby': 'export-title' }, h('h3', { id: 'export-title' }, 'Export'),
      h('p', { class: 'muted' }, 'Signed findings are exported; drafts only when asked, and then the report stays ' +
        'preliminary.'), exportForm)
      : unavailable('Your role cannot export (it needs the export permission).'),
    canDeliveries ? h('section', { 'aria-labelledby': 'deliveries-title' },
      h('h3', { id: 'deliveries-title' }, 'Deliveries ',
        h('button', { type: 'button', class: 'link-button', onclick: () => loadDeliveries() }, 'refresh')),
      deliveriesError, deliveriesArea)
      : h('p', { class: 'muted' }, 'Deliveries and their attempts are shown to accounts with the deliveries permission.'));

  if (canExport) shortcuts.bind('e', 'Export the study (hand-off)', () => { context.showTab('handoff'); exportDocument(); }, 'view');
  cleanups.push(listen(bus, 'findings-changed', () => replace(exportResult)));
  loadDeliveries();
  return {
    refresh: loadDeliveries,
    destroy() {
      destroyed = true;
      revoke();
      for (const stop of cleanups) stop();
    },
  };
}
