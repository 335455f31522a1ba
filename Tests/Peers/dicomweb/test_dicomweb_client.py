"""Annulus's DICOMweb with a real, independent client: dicomweb-client 0.61.2 (PyPI) against a live `annulus serve`
over a fresh data folder holding SampleStudies, authenticated with an integrator's API token.

QIDO with paging (get_remaining: it pages with offset until an empty page, so a server that ignored offset would
loop forever), metadata, retrieval of an instance compared byte for byte with the archived file, a rendered PNG, and
STOW of a new study (SampleStudies' files with new UIDs) that QIDO then finds.

Environment: ANNULUS_BIN (default .build/debug/annulus).
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import pydicom
import requests
from pydicom.uid import generate_uid
from dicomweb_client.api import DICOMwebClient

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
ANNULUS = os.environ.get('ANNULUS_BIN', os.path.join(ROOT, '.build', 'debug', 'annulus'))
SAMPLES = os.path.join(ROOT, 'SampleStudies')


def run(*args, stdin=None):
    return subprocess.run([ANNULUS, *args], input=stdin, text=True, check=True, capture_output=True).stdout


class DICOMwebClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix='annulus-dicomweb-')
        cls.data = os.path.join(cls.work, 'data')
        run('ingest', SAMPLES, '--data', cls.data)
        run('user', 'add', 'router', '--role', 'integrator', '--password-stdin', '--data', cls.data,
            stdin='dicomweb-' + os.urandom(8).hex() + '\n')
        token = run('user', 'token', 'create', 'router', '--name', 'dicomweb-client', '--data', cls.data).strip()
        cls.log_path = os.path.join(cls.work, 'serve.log')
        cls.log = open(cls.log_path, 'w')
        cls.process = subprocess.Popen([ANNULUS, 'serve', '--data', cls.data, '--listen', '127.0.0.1:0'],
                                       stdout=cls.log, stderr=subprocess.STDOUT)
        port = None
        deadline = time.time() + 30
        while time.time() < deadline and port is None and cls.process.poll() is None:
            with open(cls.log_path) as f:
                m = re.search(r'listening on 127\.0\.0\.1:(\d+)', f.read())
            if m:
                port = int(m.group(1))
            else:
                time.sleep(0.05)
        if port is None:
            cls.tearDownClass()
            with open(cls.log_path) as f:
                raise RuntimeError('annulus serve did not start:\n' + f.read())
        cls.base = f'http://127.0.0.1:{port}/dicomweb'
        cls.auth = {'Authorization': 'Bearer ' + token}
        cls.client = DICOMwebClient(url=cls.base, headers=cls.auth)

    @classmethod
    def tearDownClass(cls):
        if cls.process.poll() is None:
            cls.process.send_signal(signal.SIGTERM)
            try:
                cls.process.wait(10)
            except subprocess.TimeoutExpired:
                cls.process.kill()
                cls.process.wait()
        cls.log.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def sample_files(self):
        files = []
        for folder, _, names in os.walk(SAMPLES):
            files += [os.path.join(folder, n) for n in names if n.endswith('.dcm')]
        return sorted(files)

    def test_qido_pages_to_the_end(self):
        studies = self.client.search_for_studies()
        self.assertGreaterEqual(len(studies), 2)
        paged = self.client.search_for_studies(limit=1, get_remaining=True)
        self.assertEqual([s['0020000D']['Value'][0] for s in paged], [s['0020000D']['Value'][0] for s in studies])
        study = studies[0]['0020000D']['Value'][0]
        series = self.client.search_for_series(study_instance_uid=study)
        instances = self.client.search_for_instances(study_instance_uid=study, limit=2, get_remaining=True)
        self.assertEqual(len(instances), studies[0]['00201208']['Value'][0])
        self.assertEqual(len(series), studies[0]['00201206']['Value'][0])
        patient = studies[0]['00100020']['Value'][0]
        found = self.client.search_for_studies(search_filters={'PatientID': patient[:3] + '*'},
                                               fields=['StudyDescription'])
        self.assertIn(study, [s['0020000D']['Value'][0] for s in found])
        self.assertTrue(all('00081030' in s for s in found))

    def test_metadata_retrieve_and_rendered(self):
        path = self.sample_files()[0]
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        study, series, sop = ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID
        metadata = self.client.retrieve_instance_metadata(study, series, sop)
        self.assertEqual(metadata['00080018']['Value'], [sop])
        self.assertIn('BulkDataURI', metadata['7FE00010'])
        as_dataset = pydicom.Dataset.from_json(metadata, bulk_data_uri_handler=lambda *a: b'')
        self.assertEqual(as_dataset.PatientID, ds.PatientID)
        series_metadata = self.client.retrieve_series_metadata(study, series)
        self.assertIn(sop, [m['00080018']['Value'][0] for m in series_metadata])
        retrieved = self.client.retrieve_instance(study, series, sop)
        self.assertEqual(retrieved.SOPInstanceUID, sop)
        # The part's bytes are the archived file's, unchanged (read with requests, dicomweb-client's own transport).
        url = f'{self.base}/studies/{study}/series/{series}/instances/{sop}'
        answer = requests.get(url, headers={**self.auth, 'Accept': 'multipart/related; type="application/dicom"'})
        boundary = re.search(r'boundary=([^;]+)', answer.headers['Content-Type']).group(1).strip('"').encode()
        parts = answer.content.split(b'--' + boundary)
        self.assertEqual(parts[-1].strip(), b'--')
        head, body = parts[1].split(b'\r\n\r\n', 1)
        self.assertIn(b'application/dicom', head)
        with open(path, 'rb') as f:
            self.assertEqual(body[:-2], f.read())
        png = self.client.retrieve_instance_rendered(study, series, sop, media_types=('image/png',),
                                                     params={'window': '1600,3200,linear'})
        self.assertEqual(png[:8], b'\x89PNG\r\n\x1a\n')

    def test_stow_a_new_study_then_find_it(self):
        study_uid = generate_uid()
        series = {}
        datasets = []
        for path in self.sample_files()[:4]:
            ds = pydicom.dcmread(path)
            ds.StudyInstanceUID = study_uid
            ds.SeriesInstanceUID = series.setdefault(ds.SeriesInstanceUID, generate_uid())
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.AccessionNumber = 'STOW-TEST'
            datasets.append(ds)
        answer = self.client.store_instances(datasets=datasets)
        self.assertEqual(len(answer.ReferencedSOPSequence), 4)
        self.assertNotIn('FailedSOPSequence', answer)
        self.assertTrue(answer.RetrieveURL.endswith('/studies/' + study_uid))
        found = self.client.search_for_studies(search_filters={'AccessionNumber': 'STOW-TEST'})
        self.assertEqual([s['0020000D']['Value'][0] for s in found], [study_uid])
        self.assertEqual(found[0]['00201208']['Value'], [4])
        # The same again: duplicates are stored (Success), nothing new is indexed.
        again = self.client.store_instances(datasets=datasets[:1])
        self.assertEqual(len(again.ReferencedSOPSequence), 1)
        self.assertEqual(self.client.search_for_studies(search_filters={'AccessionNumber': 'STOW-TEST'})[0]
                         ['00201208']['Value'], [4])


if __name__ == '__main__':
    unittest.main()
