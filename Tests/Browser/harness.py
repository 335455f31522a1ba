"""The reading room's browser tests' harness: a live `annulus serve` over a fresh data folder holding SampleStudies
(accounts: a clinician, a second clinician, a reader, an admin), and headless Chromium driven by Selenium through
Debian's /usr/bin/chromedriver (nothing is downloaded: Selenium Manager is skipped when the driver path is given).

Environment:
  ANNULUS_BIN          the annulus executable (default .build/debug/annulus)
  ANNULUS_WEB_ROOT     serve the page from this folder (default: the bundled files)
  ANNULUS_SCREENSHOTS  folder for screenshots (default .build/browser-screenshots)
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
ANNULUS = os.environ.get('ANNULUS_BIN', os.path.join(ROOT, '.build', 'debug', 'annulus'))
SCREENSHOTS = os.environ.get('ANNULUS_SCREENSHOTS', os.path.join(ROOT, '.build', 'browser-screenshots'))
PASSWORD = 'reading-room-' + os.urandom(6).hex()
ACCOUNTS = {  # name → role
    'dr.ada': 'clinician',
    'dr.ben': 'clinician',
    'rita.reader': 'reader',
    'root.admin': 'admin',
}
VIEWPORT = (1366, 768)


def run(*args, stdin=None):
    subprocess.run([ANNULUS, *args], input=stdin, text=True, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


class Server:
    """`annulus serve` on a free loopback port over a fresh data folder with SampleStudies and the accounts."""

    def __init__(self, extra_args=(), session_idle=None):
        self.work = tempfile.mkdtemp(prefix='annulus-browser-')
        self.data = os.path.join(self.work, 'data')
        run('ingest', os.path.join(ROOT, 'SampleStudies'), '--data', self.data)
        for name, role in ACCOUNTS.items():
            run('user', 'add', name, '--role', role, '--password-stdin', '--data', self.data, stdin=PASSWORD + '\n')
        args = [ANNULUS, 'serve', '--data', self.data, '--listen', '127.0.0.1:0', *extra_args]
        if session_idle:
            args += ['--session-idle', str(session_idle)]
        if os.environ.get('ANNULUS_WEB_ROOT'):
            args += ['--web-root', os.environ['ANNULUS_WEB_ROOT']]
        self.log_path = os.path.join(self.work, 'serve.log')
        self.log = open(self.log_path, 'w')
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline and self.port is None:
            with open(self.log_path) as f:
                m = re.search(r'listening on 127\.0\.0\.1:(\d+)', f.read())
            if m:
                self.port = int(m.group(1))
            elif self.process.poll() is not None:
                break
            else:
                time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError('annulus serve did not start:\n' + open(self.log_path).read())
        self.base = f'http://127.0.0.1:{self.port}'

    def api(self, method, path, body=None, account=None):
        """A request as `account` (signed in with a fresh session), or anonymous; returns (status, json)."""
        headers = {'Content-Type': 'application/json', 'Accept': 'application/json'}
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        if account:
            req = urllib.request.Request(self.base + '/api/session', method='POST', headers=headers,
                                         data=json.dumps({'name': account, 'password': PASSWORD}).encode())
            with opener.open(req) as r:
                headers['X-Annulus-CSRF'] = json.load(r)['csrfToken']
        req = urllib.request.Request(self.base + path, method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
        try:
            with opener.open(req) as r:
                text = r.read()
                return r.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            text = e.read()
            return e.code, (json.loads(text) if text else None)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.work, ignore_errors=True)


CSP_CATCHER = ("window.__csp=[];document.addEventListener('securitypolicyviolation',e=>window.__csp.push("
               "e.violatedDirective+' '+e.blockedURI+' '+e.sourceFile+':'+e.lineNumber));"
               "window.__errors=[];window.addEventListener('error',e=>window.__errors.push(String(e.message)));"
               "window.addEventListener('unhandledrejection',e=>window.__errors.push(String(e.reason&&e.reason.stack||e.reason)));")


def chrome():
    """Headless Chromium at a true 1366 × 768 viewport, with CSP violations and page errors recorded."""
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for arg in ['--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                f'--window-size={VIEWPORT[0]},{VIEWPORT[1]}', '--hide-scrollbars', '--force-device-scale-factor=1',
                '--no-first-run', '--disable-extensions', '--lang=en-US']:
        options.add_argument(arg)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(executable_path='/usr/bin/chromedriver'), options=options)
    driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                           {'width': VIEWPORT[0], 'height': VIEWPORT[1], 'deviceScaleFactor': 1, 'mobile': False})
    driver.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': CSP_CATCHER})
    return driver


class ReadingRoomTest(unittest.TestCase):
    """One server and one browser per test class (a session costs ~0.5 s on two cores); helpers for the flows."""

    server_args = ()
    session_idle = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_args, cls.session_idle)
        try:
            cls.driver = chrome()
        except Exception:
            cls.server.stop()
            raise
        os.makedirs(SCREENSHOTS, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.stop()

    def tearDown(self):
        # No test may leave a Content-Security-Policy violation or an uncaught page error behind.
        try:
            csp = self.driver.execute_script('return window.__csp || []')
            errors = self.driver.execute_script('return window.__errors || []')
        except Exception:
            return
        self.assertEqual(csp, [], 'Content-Security-Policy violations')
        self.assertEqual(errors, [], 'uncaught errors in the page')

    # --- waiting and finding -------------------------------------------------------------------------------
    def wait(self, condition, timeout=10, message=''):
        """Waits until `condition(driver)` is truthy (a JS expression string is evaluated in the page)."""
        if isinstance(condition, str):
            script = 'return (' + condition + ')'
            condition_fn = lambda d: d.execute_script(script)
        else:
            condition_fn = condition
        try:
            # A page that re-renders can replace an element between finding it and asking about it; the next poll
            # finds the new one.
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(condition_fn)
        except TimeoutException:
            self.screenshot('timeout-' + re.sub(r'\W+', '-', self.id().split('.')[-1]))
            raise AssertionError(f'timed out waiting for {message or condition}')

    def css(self, selector, timeout=10):
        """The first element matching `selector`, once it is displayed."""
        def found(d):
            for el in d.find_elements(By.CSS_SELECTOR, selector):
                if el.is_displayed():
                    return el
            return None
        return self.wait(found, timeout, message=selector)

    def all(self, selector):
        return [e for e in self.driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]

    def text(self, selector):
        return self.css(selector).text

    def screenshot(self, name):
        path = os.path.join(SCREENSHOTS, name + '.png')
        self.driver.save_screenshot(path)
        return path

    # --- flows --------------------------------------------------------------------------------------------
    def open(self, hash_='#/worklist'):
        self.driver.get(self.server.base + '/' + hash_)
        self.wait('window.__annulusReady === true', message='the page to load')

    def sign_in(self, name, password=PASSWORD):
        self.open()
        if self.driver.execute_script("return !!document.querySelector('#sign-out')"):
            self.css('#sign-out').click()
        form = self.css('#sign-in-form')
        form.find_element(By.NAME, 'name').send_keys(name)
        form.find_element(By.NAME, 'password').send_keys(password)
        form.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()

    def signed_in(self, name):
        self.sign_in(name)
        self.css('#sign-out')

    def click_at(self, element, x, y):
        """Clicks `element` at (x, y) CSS pixels from its top-left corner, in viewport coordinates."""
        r = self.driver.execute_script('const r = arguments[0].getBoundingClientRect(); return [r.left, r.top]',
                                       element)
        ab = ActionBuilder(self.driver)
        ab.pointer_action.move_to_location(int(round(r[0] + x)), int(round(r[1] + y))).click()
        ab.perform()
