"""The study panels in a real browser: findings (add by clicking the image, a validation error shown at its field
and fixed, the wrong-level acknowledgement, sign with a confirmation listing what is signed, locked once signed,
history, retract), a reader sees no sign button and the API refuses it, the intake form (an out-of-range value at
its field, history), the discography on the fluoroscopy study, triage per level with links to what is missing, and
the hand-off: export for download and delivery to a local FHIR test server, deliveries with their attempts and a
retry. The disc labels' panel says politely when the server lacks the routes."""

import json
import os
import shutil
import tempfile
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from panel_support import DISCS, FISSURE_COURSE, MR_ACCESSION, RF_ACCESSION, FHIRTestServer, PanelTest


class AddAndSignFindings(PanelTest):
    """One clinician's read of the lumbar MR, step by step (the tests run in name order on one server)."""

    def start_adding(self, kind, level, by_key=False):
        self.open_study(MR_ACCESSION, 'findings')
        if by_key:
            self.driver.execute_script("document.activeElement && document.activeElement.blur()")
            ActionChains(self.driver).send_keys('a').perform()
        else:
            self.css('#add-finding').click()
        form = self.css('form.finding-form-add')
        self.select(form, 'kind', kind)
        self.select(form, 'level', level)
        return form

    def test_1_fissure_by_clicking_the_image_with_a_missing_field_fixed(self):
        self.signed_in('dr.ada')
        form = self.start_adding('annular-fissure', 'L4-L5')
        self.select(form, 'side', 'midline')
        # The fissure's course: two clicks on the posterior annulus of L4-L5, Enter finishes the line.
        form.find_element(By.CSS_SELECTOR, '.mark-button').click()
        for x, y in FISSURE_COURSE:
            self.click_image(MR_ACCESSION, x, y, expect_sop=self.mid_sagittal())
        ActionChains(self.driver).send_keys(Keys.ENTER).perform()
        self.wait("document.querySelector('form.finding-form-add').dataset.marked === 'true'",
                  message='the mark to be taken')
        self.assertIn('2 points', self.text('form.finding-form-add .mark-status'))
        # type is required for a present fissure: the server's refusal is shown at the type field.
        form.find_element(By.CSS_SELECTOR, '.save-finding').click()
        error = self.field_error('type')
        self.assertIn('type', error)
        self.assertEqual(self.driver.switch_to.active_element.get_attribute('name'), 'type')
        self.screenshot('10-finding-missing-field')
        self.assertEqual(self.findings(MR_ACCESSION), [])
        self.select(form, 'type', 'radial')
        form.find_element(By.CSS_SELECTOR, '.save-finding').click()
        item = self.finding_item('L4-L5', 'annular-fissure', 'draft')
        self.assertIn('preliminary', item.text)
        self.assertIn('type radial', item.text)
        self.screenshot('11-finding-added')
        # The mark is where it was clicked, on the mid-sagittal image, with its patient positions.
        [stored] = self.findings(MR_ACCESSION)
        anchor = stored['annotation']['anchor']
        self.assertEqual(anchor['sopInstanceUID'], self.mid_sagittal())
        for (x, y), point in zip(FISSURE_COURSE, anchor['points']):
            self.assertAlmostEqual(point['x'], x + 0.5, delta=2)
            self.assertAlmostEqual(point['y'], y + 0.5, delta=2)
        self.assertEqual(len(anchor['patientPositions']), 2)

    def test_2_a_mark_at_another_disc_needs_an_acknowledged_reason(self):
        self.signed_in('dr.ada')
        form = self.start_adding('hiz', 'L3-L4', by_key=True)
        self.select(form, 'present', 'yes')
        form.find_element(By.CSS_SELECTOR, '.mark-button').click()
        self.click_image(MR_ACCESSION, *DISCS['L5-S1'], expect_sop=self.mid_sagittal())
        self.wait("document.querySelector('form.finding-form-add').dataset.marked === 'true'")
        form.find_element(By.CSS_SELECTOR, '.save-finding').click()
        problem = self.text('.level-ack-problem')
        self.assertIn('L3-L4', problem)
        self.assertIn('below', problem)
        self.screenshot('12-wrong-level-warning')
        # Keeping the level needs a reason: without one nothing is sent.
        self.css('.ack-confirm').click()
        self.assertIn('reason', self.text('.level-ack .form-error'))
        self.assertEqual([f['level'] for f in self.findings(MR_ACCESSION)], ['L4-L5'])
        self.type_into(form, 'textarea[name="levelOutsideStudy"]', 'counted from the sacrum on the localiser')
        self.css('.ack-confirm').click()
        item = self.finding_item('L3-L4', 'hiz', 'draft')
        self.assertIn('level warning', item.text)
        self.assertIn('counted from the sacrum on the localiser', item.text)
        stored = next(f for f in self.findings(MR_ACCESSION) if f['level'] == 'L3-L4')
        self.assertEqual(stored['levelWarning']['override']['reason'], 'counted from the sacrum on the localiser')

    def test_3_sign_lists_what_is_signed_and_locks_the_finding(self):
        self.signed_in('dr.ada')
        self.open_study(MR_ACCESSION, 'findings')
        item = self.finding_item('L4-L5', 'annular-fissure', 'draft')
        item.find_element(By.CSS_SELECTOR, '.sign-button').click()
        dialog = self.css('#sign-dialog')
        summary = dialog.find_element(By.CSS_SELECTOR, '.sign-summary').text
        for expected in ['L4-L5', 'Annular fissure', 'type radial', 'side midline', 'v1', 'series 1 image']:
            self.assertIn(expected, summary)
        self.screenshot('13-sign-confirmation')
        dialog.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()
        item = self.finding_item('L4-L5', 'annular-fissure', 'signed')
        self.assertIn('locked', item.text)
        self.assertEqual(item.find_elements(By.CSS_SELECTOR, '.amend-button, .sign-button'), [])
        stored = next(f for f in self.findings(MR_ACCESSION) if f['level'] == 'L4-L5')
        self.assertEqual((stored['status'], stored['signedBy'], stored['version']), ('signed', 'dr.ada', 2))
        # The history shows both versions.
        item.find_element(By.CSS_SELECTOR, '.history-button').click()
        self.wait("document.querySelectorAll('.finding-item[data-status=signed] .history li').length === 2")
        self.screenshot('14-signed-locked-history')

    def test_4_amend_and_retract_a_draft_with_a_reason(self):
        self.signed_in('dr.ada')
        self.open_study(MR_ACCESSION, 'findings')
        item = self.finding_item('L3-L4', 'hiz', 'draft')
        item.find_element(By.CSS_SELECTOR, '.amend-button').click()
        form = self.css('form.finding-form-amend')
        self.select(form, 'position', 'posterior')
        self.type_into(form, 'input[name="reason"]', 're-read on the axial')
        form.find_element(By.CSS_SELECTOR, '.save-finding').click()
        self.wait("(document.querySelector('.finding-item[data-kind=hiz]') || {textContent: ''})"
                  ".textContent.includes('position posterior')")
        self.finding_item('L3-L4', 'hiz', 'draft').find_element(By.CSS_SELECTOR, '.retract-button').click()
        dialog = self.css('#retract-dialog')
        dialog.find_element(By.CSS_SELECTOR, 'textarea').send_keys('duplicate of the fissure')
        dialog.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()
        self.wait("!document.querySelector('.finding-item[data-kind=hiz]')", message='the retracted finding to go')
        stored = next(f for f in self.findings(MR_ACCESSION, retracted=True) if f['level'] == 'L3-L4')
        self.assertEqual((stored['status'], stored['version'], stored['reason']),
                         ('retracted', 3, 'duplicate of the fissure'))


class ReaderCannotSign(PanelTest):
    def test_reader_sees_findings_without_a_sign_button_and_the_api_refuses(self):
        draft = self.add_finding(MR_ACCESSION, {'level': 'L4-L5', 'kind': 'pfirrmann', 'fields': ['grade=IV']})
        self.signed_in('rita.reader')
        self.open_study(MR_ACCESSION, 'findings')
        item = self.finding_item('L4-L5', 'pfirrmann', 'draft')
        self.assertEqual(item.find_elements(By.CSS_SELECTOR, '.sign-button, .amend-button, .retract-button'), [])
        self.assertEqual(self.all('#add-finding'), [])
        self.screenshot('15-reader-no-sign')
        status, answer = self.server.api('POST', f"/api/annotations/{draft['id']}/sign", account='rita.reader')
        self.assertEqual(status, 403, answer)
        self.assertEqual(self.findings(MR_ACCESSION)[0]['status'], 'draft')


class IntakeDiscographyAndTriage(PanelTest):
    """The intake form, the discography on the fluoroscopy study and the triage that reads them with the MR."""

    def test_1_triage_lists_what_is_missing_with_links(self):
        self.add_finding(MR_ACCESSION, {
            'level': 'L4-L5', 'kind': 'annular-fissure', 'fields': ['type=radial', 'side=midline'],
            'anchor': {'sopInstanceUID': self.mid_sagittal(), 'frame': 0, 'points': [list(p) for p in FISSURE_COURSE]},
        }, sign=True)
        self.add_finding(MR_ACCESSION, {
            'level': 'L5-S1', 'kind': 'contour', 'fields': ['type=protrusion', 'contained=no'],
            'anchor': {'sopInstanceUID': self.mid_sagittal(), 'frame': 0, 'points': [list(DISCS['L5-S1'])]},
        }, sign=True)
        self.signed_in('dr.ada')
        self.open_study(MR_ACCESSION, 'triage')
        level = self.css('.triage-level[data-level="L4-L5"]')
        self.assertEqual(level.get_attribute('data-outcome'), 'needs-more-information')
        self.assertIn('needs more information', level.text)
        self.assertEqual(self.css('.triage-level[data-level="L5-S1"]').get_attribute('data-outcome'), 'not-candidate')
        missing = [li.get_attribute('data-fact') for li in level.find_elements(By.CSS_SELECTOR, '.missing li')]
        self.assertIn('intake.fitForOutpatientProcedure', missing)
        self.assertIn('level.discography.response', missing)
        self.assertIn('Decision support only', self.text('.evidence-note'))
        self.screenshot('20-triage-missing')
        # A missing intake fact leads to its field on the Intake tab …
        level.find_element(By.CSS_SELECTOR, '.missing-link[data-fact="intake.fitForOutpatientProcedure"]').click()
        self.wait("!document.querySelector('#panel-intake').hidden")
        self.wait("document.activeElement && document.activeElement.name === 'fit'", message='the fit field focused')
        # … a missing finding fact to the Findings tab with the kind chosen.
        self.show_tab('triage')
        self.css('.triage-level[data-level="L4-L5"] .missing-link[data-kind="discography"]').click()
        self.wait("!document.querySelector('#panel-findings').hidden")
        form = self.css('form.finding-form-add')
        self.assertEqual(form.find_element(By.CSS_SELECTOR, 'select[name=kind]').get_attribute('value'), 'discography')
        self.assertEqual(form.find_element(By.CSS_SELECTOR, 'select[name=level]').get_attribute('value'), 'L4-L5')

    def test_2_intake_with_an_out_of_range_value_fixed(self):
        self.signed_in('dr.ada')
        self.open_study(MR_ACCESSION, 'intake')
        form = self.css('#intake-form')
        self.type_into(form, 'input[name=age]', '130')
        self.type_into(form, 'input[name="pain-months"]', '14')
        self.select(form, 'back-pain-scale', 'vas')
        self.type_into(form, 'input[name="back-pain-score"]', '70')
        self.select(form, 'leg-pain-scale', 'nrs')
        self.type_into(form, 'input[name="leg-pain-score"]', '3')
        self.select(form, 'leg-radicular', 'no')
        form.find_element(By.CSS_SELECTOR, '[data-rows=care] + .add-row').click()
        row = form.find_element(By.CSS_SELECTOR, '[data-rows=care] li:last-child')
        self.select(row, 'care-kind', 'physical-therapy')
        self.type_into(row, 'input[name="care-weeks"]', '12')
        self.select(row, 'care-relief', 'no')
        self.select(form, 'fit', 'yes')
        for flag in ['infection', 'tumour', 'fracture', 'cauda-equina']:
            self.select(form, flag, 'no')
        self.select(form, 'prior-surgery-had', 'no')
        self.select(form, 'prefers-non-surgical', 'yes')
        self.type_into(form, 'input[name=odi]', '44')
        self.css('#save-intake').click()
        self.assertIn('120', self.field_error('age'))
        self.screenshot('21-intake-out-of-range')
        status, intake = self.server.api('GET', f'/api/studies/{self.studies[MR_ACCESSION]}/intake', account='dr.ada')
        self.assertNotIn('latest', intake)
        self.type_into(form, 'input[name=age]', '45')
        self.css('#save-intake').click()
        self.wait("document.querySelector('#panel-intake').textContent.includes('Version 1')")
        status, intake = self.server.api('GET', f'/api/studies/{self.studies[MR_ACCESSION]}/intake', account='dr.ada')
        recorded = intake['latest']['intake']
        self.assertEqual(recorded['age'], 45)
        self.assertEqual(recorded['backPain'], {'scale': 'vas', 'value': 70})
        self.assertEqual(recorded['odiTotal'], 44)
        self.assertEqual(recorded['priorSurgery'], {'had': False})
        self.assertEqual(recorded['conservativeCare'], [{'kind': 'physical-therapy', 'weeks': 12,
                                                         'lastingRelief': False}])
        self.assertEqual(recorded['redFlags'], {'activeInfection': 'no', 'tumour': 'no', 'acuteFracture': 'no',
                                                'caudaEquinaSigns': 'no'})
        # Only what changes is sent: a second save of one field makes version 2, the history lists both.
        form = self.css('#intake-form')
        self.type_into(form, 'input[name="pain-months"]', '16')
        self.type_into(form, 'input[name=reason]', 'patient corrected the duration')
        self.css('#save-intake').click()
        self.wait("document.querySelector('#panel-intake').textContent.includes('Version 2')")
        self.css('#panel-intake .panel-toolbar button').click()
        self.wait("document.querySelectorAll('#intake-history li').length === 2")
        self.assertIn('patient corrected the duration', self.text('#intake-history'))
        status, history = self.server.api('GET', f'/api/studies/{self.studies[MR_ACCESSION]}/intake/history',
                                          account='dr.ada')
        self.assertEqual(history['versions'][1]['intake']['painDurationMonths'], 16)
        self.assertEqual(history['versions'][1]['intake']['age'], 45)
        self.screenshot('22-intake-history')

    def test_3_discography_on_the_fluoroscopy_study(self):
        self.signed_in('dr.ada')
        self.open_study(RF_ACCESSION, 'findings')
        self.css('#add-finding').click()
        form = self.css('form.finding-form-add')
        self.select(form, 'kind', 'discography')
        self.select(form, 'level', 'L4-L5')
        self.select(form, 'response', 'concordant')
        self.select(form, 'grade', '3')
        self.type_into(form, 'input[name=pain]', '7')
        form.find_element(By.CSS_SELECTOR, '.mark-button').click()
        self.click_image(RF_ACCESSION, 256, 256)
        self.wait("document.querySelector('form.finding-form-add').dataset.marked === 'true'")
        form.find_element(By.CSS_SELECTOR, '.save-finding').click()
        item = self.finding_item('L4-L5', 'discography', 'draft')
        self.assertIn('response concordant', item.text)
        item.find_element(By.CSS_SELECTOR, '.sign-button').click()
        self.css('#sign-dialog button[type=submit]').click()
        self.finding_item('L4-L5', 'discography', 'signed')
        self.screenshot('23-discography-signed')

    def test_4_triage_shows_the_expected_outcome_per_level(self):
        self.signed_in('dr.ada')
        self.open_study(MR_ACCESSION, 'triage')
        # The fissure (MR) and the concordant discography (fluoroscopy) of the same patient, with an intake that
        # meets M1, M2 and M6 and no red flag: L4-L5 is a candidate; L5-S1's non-contained protrusion excludes it.
        self.wait("(document.querySelector('.triage-level[data-level=\"L4-L5\"]') || {dataset: {}})"
                  ".dataset.outcome === 'candidate'", message='L4-L5 to be a candidate')
        self.assertEqual(self.css('.triage-level[data-level="L5-S1"]').get_attribute('data-outcome'), 'not-candidate')
        self.assertIn('X-herniation', self.text('.triage-level[data-level="L5-S1"]'))
        self.assertEqual(self.css('.triage-patient .outcome').get_attribute('data-outcome'), 'candidate')
        self.css('.triage-level[data-level="L4-L5"] .level-reasons summary').click()
        l45 = self.text('.triage-level[data-level="L4-L5"]')
        self.assertIn('M4', l45)
        self.assertIn('Clinic profile M4', l45)
        self.screenshot('24-triage-candidate')

    def test_5_triage_refreshes_when_a_finding_is_signed(self):
        draft = self.add_finding(MR_ACCESSION, {'level': 'L3-L4', 'kind': 'pfirrmann', 'fields': ['grade=II']})
        self.signed_in('dr.ada')
        self.open_study(MR_ACCESSION, 'triage')
        self.css('.triage-level[data-level="L4-L5"]')
        self.assertEqual(self.all('.triage-level[data-level="L3-L4"]'), [])
        self.show_tab('findings')
        self.finding_item('L3-L4', 'pfirrmann', 'draft').find_element(By.CSS_SELECTOR, '.sign-button').click()
        self.css('#sign-dialog button[type=submit]').click()
        self.finding_item('L3-L4', 'pfirrmann', 'signed')
        self.show_tab('triage')
        # Signed, the Pfirrmann II counts: L3-L4 is evaluated (a grade below III alone decides nothing yet).
        level = self.css('.triage-level[data-level="L3-L4"]')
        self.assertEqual(level.get_attribute('data-outcome'), 'needs-more-information')
        self.assertIn('level.pfirrmann.grade = 2', self.driver.execute_script('return arguments[0].textContent', level))
        self.assertEqual(draft['level'], 'L3-L4')


class HandOff(PanelTest):
    """Export for download, delivery to a local FHIR test server (whose first answer is a 503), deliveries with
    attempts and a retry."""

    @classmethod
    def setUpClass(cls):
        cls.fhir = FHIRTestServer(failures=1, status=503)
        cls.server_args = ('--fhir-endpoint', cls.fhir.url)
        try:
            super().setUpClass()
        except Exception:
            cls.fhir.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.fhir.stop()

    def test_1_a_clinician_is_told_who_exports(self):
        self.signed_in('dr.ada')
        self.open_study(MR_ACCESSION, 'handoff')
        self.assertIn('coordinators and integrators', self.text('#panel-handoff'))

    def test_2_export_for_download_and_a_delivery_left_pending(self):
        self.add_finding(MR_ACCESSION, {'level': 'L4-L5', 'kind': 'pfirrmann', 'fields': ['grade=IV']}, sign=True)
        self.signed_in('cora.coord')
        self.open_study(MR_ACCESSION, 'handoff')
        self.css('#export-button').click()
        link = self.css('#export-download')
        self.assertEqual(link.get_attribute('download'), f'{MR_ACCESSION}.fhir.json')
        # The download itself: Chromium saves the blob into a folder of ours.
        downloads = tempfile.mkdtemp(prefix='annulus-downloads-')
        self.driver.execute_cdp_cmd('Browser.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': downloads})
        link.click()
        path = os.path.join(downloads, f'{MR_ACCESSION}.fhir.json')
        deadline = time.time() + 10
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.05)
        with open(path) as f:
            bundle = json.load(f)
        shutil.rmtree(downloads, ignore_errors=True)
        self.assertEqual((bundle['resourceType'], bundle['type']), ('Bundle', 'transaction'))
        self.assertTrue(any(e['resource']['resourceType'] == 'Observation' for e in bundle['entry']))
        self.screenshot('30-export')
        # The endpoint answers the first POST with 503: the delivery is kept for a retry.
        self.css('#deliver-button').click()
        self.wait("(document.querySelector('.delivery-result') || {dataset: {}}).dataset.outcome === 'retry'",
                  message='the delivery to be left pending')
        self.assertIn('kept for retry', self.text('.delivery-result'))
        [posted] = self.fhir.requests()
        self.assertEqual((posted['status'], posted['resourceType'], posted['contentType']),
                         (503, 'Bundle', 'application/fhir+json'))
        self.assertEqual(posted['entries'], len(bundle['entry']))
        self.screenshot('31-delivery-pending')

    def test_3_deliveries_with_attempts_a_retry_and_a_delivery(self):
        self.signed_in('ian.integrator')
        self.open_study(MR_ACCESSION, 'handoff')
        pending = self.css('.delivery[data-state="pending"]')
        self.assertIn('HTTP 503', pending.text)
        self.screenshot('32-deliveries-pending')
        pending.find_element(By.CSS_SELECTOR, '.retry-button').click()
        self.css('.delivery[data-state="delivered"] .attempts li[data-attempt="2"][data-outcome="delivered"]')
        self.assertEqual([r['status'] for r in self.fhir.requests()], [503, 200])
        # A second delivery goes straight through.
        self.css('#deliver-button').click()
        result = self.css('.delivery-result[data-outcome="delivered"]')
        self.assertIn('attempt 1', result.text)
        self.wait("document.querySelectorAll('.delivery[data-state=delivered]').length === 2",
                  message='both deliveries listed as delivered')
        self.screenshot('33-deliveries')
        status, listed = self.server.api('GET', f'/api/deliveries?study={self.studies[MR_ACCESSION]}',
                                         account='ian.integrator')
        self.assertEqual(sorted(len(d['attempts']) for d in listed['deliveries']), [1, 2])
        self.assertEqual(len(self.fhir.requests()), 3)


class DiscLabels(PanelTest):
    def test_label_discs_then_a_mark_proposes_the_nearest_level(self):
        study = self.studies[MR_ACCESSION]
        status, _ = self.server.api('GET', f'/api/studies/{study}/discs', account='dr.ada')
        self.signed_in('dr.ada')
        self.open_study(MR_ACCESSION, 'levels')
        self.assertEqual(status, 200)
        # Label L5-S1, then the proposed L4-L5 and L3-L4, one click each.
        self.css('#label-discs').click()
        for level in ['L5-S1', 'L4-L5', 'L3-L4']:
            self.wait(f"(document.querySelector('#disc-prompt') || {{textContent: ''}}).textContent.includes('{level}')",
                      message=f'the prompt for {level}')
            self.click_image(MR_ACCESSION, *DISCS[level], expect_sop=self.mid_sagittal())
        self.wait("(document.querySelector('#disc-prompt') || {textContent: ''}).textContent.includes('L2-L3')")
        self.select(self.css('.disc-labelling'), 'basis', 'from-sacrum')
        self.css('#discs-done').click()
        self.wait("document.querySelectorAll('#disc-labels li').length === 3", message='three labels listed')
        status, labels = self.server.api('GET', f'/api/studies/{study}/discs', account='dr.ada')
        self.assertEqual(sorted(label['level'] for label in labels['labels']), ['L3-L4', 'L4-L5', 'L5-S1'])
        self.screenshot('41-disc-labels')
        # A mark for a finding now proposes the nearest labelled disc's level.
        self.show_tab('findings')
        self.css('#add-finding').click()
        form = self.css('form.finding-form-add')
        self.select(form, 'kind', 'pfirrmann')
        form.find_element(By.CSS_SELECTOR, '.mark-button').click()
        self.click_image(MR_ACCESSION, *DISCS['L4-L5'])
        self.wait("document.querySelector('form.finding-form-add select[name=level]').value === 'L4-L5'",
                  message='the level proposed from the labels')
        self.assertIn('L4-L5', self.text('.level-proposal'))
        # Another level for a mark at the L4-L5 disc needs the acknowledgement.
        self.select(form, 'level', 'L3-L4')
        self.select(form, 'grade', 'III')
        form.find_element(By.CSS_SELECTOR, '.save-finding').click()
        self.assertIn('L4-L5', self.text('.level-ack-problem'))
        self.type_into(form, 'textarea[name="levelOutsideStudy"]', 'transitional anatomy on the whole-spine view')
        self.css('.ack-confirm').click()
        self.assertIn('level warning', self.finding_item('L3-L4', 'pfirrmann', 'draft').text)
        self.screenshot('42-nearer-other-disc')
