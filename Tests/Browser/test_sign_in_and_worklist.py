"""Sign in (a wrong password refused with a plain message), the worklist of SampleStudies, opening a study, sign out,
and the automatic sign-out after the configured idle time."""

import time

from selenium.webdriver.common.by import By

from harness import ReadingRoomTest


class SignInAndWorklist(ReadingRoomTest):
    session_idle = '12s'

    def test_wrong_password_is_refused_with_a_plain_message(self):
        self.sign_in('dr.ada', 'not-the-password')
        error = self.css('#sign-in-error')
        self.assertEqual(error.text, 'The account name or password is wrong.')
        self.assertEqual(self.all('#sign-out'), [])
        self.screenshot('01-sign-in-refused')

    def test_worklist_shows_the_sample_studies_and_opens_one(self):
        self.signed_in('dr.ada')
        self.css('#worklist .worklist-entry')
        links = self.all('#worklist a.study-link')
        descriptions = ' | '.join(link.text for link in links)
        self.assertEqual(len(links), 3, descriptions)
        self.assertIn('MR', descriptions)
        self.assertIn('RF', descriptions)
        # Every entry is under a heading naming its attention group, with a badge carrying the words, not a colour.
        for entry in self.all('#worklist .worklist-entry'):
            self.assertTrue(entry.find_element(By.CSS_SELECTOR, '.badge').text.strip())
        self.screenshot('02-worklist')
        # The search filter narrows the list.
        self.css('input[type=search]').send_keys('no-such-patient')
        self.wait("document.querySelectorAll('#worklist .worklist-entry').length === 0")
        self.css('input[type=search]').clear()
        self.driver.execute_script("const i=document.querySelector('input[type=search]');"
                                   "i.dispatchEvent(new Event('input'))")
        mr = next(link for link in self.all('#worklist a.study-link') if 'MR' in link.text)
        mr.click()
        self.wait("location.hash.startsWith('#/study/')")
        self.css('.study-header h1')

    def test_sign_out_and_idle_sign_out(self):
        self.signed_in('dr.ada')
        self.css('#sign-out').click()
        self.css('#sign-in-form')
        self.assertIn('You signed out.', self.text('.sign-in-reason'))
        self.signed_in('dr.ada')
        started = time.time()
        reason = self.css('.sign-in-reason', timeout=30).text
        self.assertIn('without activity', reason)
        self.assertGreaterEqual(time.time() - started, 8)
        # The server ended the session too: the API refuses the old cookie.
        status = self.driver.execute_async_script(
            "const done = arguments[0]; fetch('/api/session').then(r => done(r.status))")
        self.assertEqual(status, 401)

    def test_a_reader_without_the_worklist_gets_the_study_list(self):
        self.signed_in('rita.reader')
        self.css('#study-list a.study-link')
        self.assertEqual(len(self.all('#study-list a.study-link')), 3)
        self.assertEqual(self.all('.error-page'), [])
        self.css('input[type=search]').send_keys('ACC-RF-0001\n')
        self.wait("document.querySelectorAll('#study-list a.study-link').length === 1")
        self.assertIn('RF', self.text('#study-list a.study-link'))

    def test_signing_out_while_a_page_loads_leaves_the_sign_in_form(self):
        # A route that finishes after a later one must not overwrite it (the sign-in form here).
        self.signed_in('dr.ada')
        self.css('#worklist .worklist-entry')
        for _ in range(3):
            self.driver.execute_script(
                "location.hash = '#/study/' + document.querySelector('a.study-link').dataset.study;"
                "document.querySelector('#sign-out').click();")
            self.css('#sign-in-form')
            time.sleep(1.5)
            self.assertEqual(self.all('.study-page'), [])
            self.assertEqual(len(self.all('#sign-in-form')), 1)
            self.signed_in('dr.ada')
            self.css('#worklist .worklist-entry')
