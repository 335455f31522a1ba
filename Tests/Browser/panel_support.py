"""Helpers for the study panels' browser tests: a local FHIR test server (a real HTTP server that accepts POSTed
Bundles), more accounts than the harness makes (a coordinator exports, an integrator sees deliveries),
and clicking a point of the image shown by the viewer in image pixel coordinates.

Sample study facts used by the tests (SampleStudies, docs/sample-studies.md): the lumbar MR's series 1 is a
sagittal T2 of 15 slices, 512 x 512; on its middle slice (location 0 mm) the L3-L4 disc centre is near pixel
(247, 290), L4-L5 near (245, 350) with its posterior annulus (the fissure, the HIZ) near (262..272, 350), L5-S1 near
(250, 408). The fluoroscopy study is one 40-frame cine of the L4-L5 discography.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from selenium.webdriver.common.by import By

from harness import PASSWORD, ROOT, ReadingRoomTest, run

MR_ACCESSION = 'ACC-MR-0001'
RF_ACCESSION = 'ACC-RF-0001'
DISCS = {'L3-L4': (247, 290), 'L4-L5': (245, 350), 'L5-S1': (250, 408)}
FISSURE_COURSE = [(262, 350), (272, 352)]
EXTRA_ACCOUNTS = {'cora.coord': 'coordinator', 'ian.integrator': 'integrator'}


class FHIRTestServer:
    """A FHIR endpoint on a free loopback port: Tests/ProcessTestSupport/flaky_fhir_server.py (the delivery tests'
    server), answering the first `failures` POSTs with `status` and later ones with 200, each request logged."""

    def __init__(self, failures, status):
        self.folder = tempfile.mkdtemp(prefix='annulus-fhir-')
        self.log = os.path.join(self.folder, 'requests.log')
        port_file = os.path.join(self.folder, 'port')
        self.process = subprocess.Popen([sys.executable, os.path.join(ROOT, 'Tests', 'ProcessTestSupport',
                                                                      'flaky_fhir_server.py'),
                                         str(failures), str(status), self.log, port_file])
        deadline = time.time() + 20
        while not os.path.exists(port_file):
            if time.time() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError('the FHIR test server did not start')
            time.sleep(0.02)
        with open(port_file) as f:
            self.url = f'http://127.0.0.1:{int(f.read())}/fhir'

    def requests(self):
        """One dict per POST received, in order (status, authorization, contentType, resourceType, entries)."""
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


# The content box of the image the viewer shows (object-fit: contain taken into account), in viewport pixels.
IMAGE_BOX = """
const img = arguments[0];
const r = img.getBoundingClientRect();
let [left, top, width, height] = [r.left, r.top, r.width, r.height];
const fit = getComputedStyle(img).objectFit;
if ((fit === 'contain' || fit === 'scale-down') && img.naturalWidth && img.naturalHeight) {
  const scale = Math.min(r.width / img.naturalWidth, r.height / img.naturalHeight);
  width = img.naturalWidth * scale; height = img.naturalHeight * scale;
  left += (r.width - width) / 2; top += (r.height - height) / 2;
}
return [left, top, width, height, img.complete && img.naturalWidth > 0];
"""


class PanelTest(ReadingRoomTest):
    """A reading-room test class with the extra accounts and study lookups."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            for name, role in EXTRA_ACCOUNTS.items():
                run('user', 'add', name, '--role', role, '--password-stdin', '--data', cls.server.data,
                    stdin=PASSWORD + '\n')
            status, page = cls.server.api('GET', '/api/studies?limit=50', account='dr.ada')
            assert status == 200, page
            cls.studies = {s['accessionNumber']: s['studyInstanceUID'] for s in page['studies']}
            cls.details = {}
        except Exception:
            cls.tearDownClass()
            raise

    def setUp(self):
        # A fresh document for every test: a hash-only navigation would keep the last test's page (and dialogs).
        self.driver.get('about:blank')

    # --- studies ----------------------------------------------------------------------------------------------
    def detail(self, accession):
        if accession not in self.details:
            status, detail = self.server.api('GET', f'/api/studies/{self.studies[accession]}', account='dr.ada')
            self.assertEqual(status, 200, detail)
            self.details[accession] = detail
        return self.details[accession]

    def mid_sagittal(self):
        """The SOP Instance UID of the middle slice of the lumbar MR's sagittal T2 (series 1)."""
        series = next(s for s in self.detail(MR_ACCESSION)['series'] if s['seriesNumber'] == 1)
        slices = series['stacks'][0]['slices']
        return slices[len(slices) // 2]['sopInstanceUID']

    def instance(self, accession, sop):
        for series in self.detail(accession)['series']:
            for instance in series['instances']:
                if instance['sopInstanceUID'] == sop:
                    return instance
        raise AssertionError(f'{sop} is not in {accession}')

    def open_study(self, accession, tab=None):
        self.open(f'#/study/{self.studies[accession]}')
        self.css('.study-header h1')
        if tab:
            self.show_tab(tab)

    def show_tab(self, name):
        self.css(f'#tab-{name}').click()
        self.wait(f"!document.querySelector('#panel-{name}').hidden", message=f'the {name} panel')

    # --- the image ----------------------------------------------------------------------------------------------
    def shown_image(self):
        """(img element, SOP Instance UID, frame) of the largest frame image displayed in the viewer."""
        def find(driver):
            best = None
            for img in driver.find_elements(By.CSS_SELECTOR, '.viewer-stage img'):
                # The viewer names the frame an image shows in data-rendered (its src may be a blob URL).
                src = img.get_attribute('data-rendered') or img.get_attribute('src') or ''
                if '/frames/' not in src or not img.is_displayed():
                    continue
                box = driver.execute_script(IMAGE_BOX, img)
                if not box[4]:
                    continue
                if best is None or box[2] * box[3] > best[1][2] * best[1][3]:
                    best = (img, box, src)
            return best
        img, _, src = self.wait(find, message='an image shown by the viewer')
        path = src.split('/api/instances/')[1]
        sop, rest = path.split('/frames/')
        return img, sop, int(rest.split('/')[0].split('?')[0])

    def click_image(self, accession, x, y, expect_sop=None):
        """Clicks image pixel (x, y) (column, row) of the image the viewer shows."""
        img, sop, _ = self.shown_image()
        if expect_sop:
            self.assertEqual(sop, expect_sop, 'the viewer shows another image than the test expects')
        instance = self.instance(accession, sop)
        left, top, width, height, _ = self.driver.execute_script(IMAGE_BOX, img)
        rect = self.driver.execute_script('const r = arguments[0].getBoundingClientRect(); return [r.left, r.top]',
                                          img)
        self.click_at(img, left - rect[0] + (x + 0.5) * width / instance['columns'],
                      top - rect[1] + (y + 0.5) * height / instance['rows'])

    # --- forms ------------------------------------------------------------------------------------------------
    def select(self, scope, name, value):
        element = scope.find_element(By.CSS_SELECTOR, f'select[name="{name}"]')
        self.driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
            element, value)
        self.assertEqual(element.get_attribute('value'), value, f'{name} offers {value}')

    def type_into(self, scope, selector, text):
        element = scope.find_element(By.CSS_SELECTOR, selector)
        element.clear()
        element.send_keys(text)

    def field_error(self, field):
        return self.css(f'[data-error-for="{field}"]').text

    def finding_item(self, level, kind, status=None):
        selector = f'.finding-item[data-level="{level}"][data-kind="{kind}"]'
        if status:
            selector += f'[data-status="{status}"]'
        return self.css(selector)

    # --- API ----------------------------------------------------------------------------------------------------
    def findings(self, accession, account='dr.ada', retracted=False):
        query = '?includeRetracted=true' if retracted else ''
        status, answer = self.server.api('GET', f'/api/studies/{self.studies[accession]}/annotations{query}',
                                         account=account)
        self.assertEqual(status, 200, answer)
        return answer['annotations']

    def add_finding(self, accession, body, account='dr.ada', sign=False):
        status, answer = self.server.api('POST', f'/api/studies/{self.studies[accession]}/annotations', body,
                                         account=account)
        self.assertEqual(status, 201, answer)
        annotation = answer['annotation']
        if sign:
            status, signed = self.server.api('POST', f"/api/annotations/{annotation['id']}/sign", account=account)
            self.assertEqual(status, 200, signed)
        return annotation
