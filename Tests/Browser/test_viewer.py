"""The image viewer in a real browser: slices by wheel, keys and slider; the window by preset and by dragging; zoom
and pan; orientation letters; cross-reference lines between the sagittal and the axial series; prefetch of the
neighbouring slices; picking points and drawing marks for the panels; the cine player on the fluoroscopy."""

import re
import time

from selenium.webdriver import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.mouse_button import MouseButton
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from harness import ReadingRoomTest

STAGE = "document.querySelector('.viewer-stage')"


class Viewer(ReadingRoomTest):
    # --- helpers ---------------------------------------------------------------------------------------------------
    def open_study(self, accession):
        """Signs in (once per test) and opens the study whose worklist link names `accession`; waits for the image."""
        # A fresh page load: a hash change from the previous test's study would race the sign-out's own routing.
        self.driver.get('about:blank')
        self.signed_in('dr.ada')
        self.css('#worklist a.study-link')
        link = next(a for a in self.all('#worklist a.study-link') if accession in a.text)
        link.click()
        self.wait(STAGE + " && " + STAGE + ".dataset.sliceIndex !== undefined && "
                  "!!document.querySelector('.viewer-image img[data-rendered]')", message='the first image')
        self.wait("performance.getEntriesByName('first-image').length > 0", message='the first-image mark')
        return self.css('.viewer-viewport')

    def stage(self):
        return self.driver.execute_script('return Object.assign({}, ' + STAGE + '.dataset)')

    def index(self):
        return int(self.stage()['sliceIndex'])

    def image(self):
        """The image shown: its blob: source and the API URL it came from."""
        return self.driver.execute_script(
            "const i = document.querySelector('.viewer-image img'); return [i.src, i.dataset.rendered]")

    def wait_index(self, expected, message=''):
        self.wait(f"{STAGE}.dataset.sliceIndex === '{expected}' && "
                  f"document.querySelector('.viewer-image img').dataset.rendered !== undefined",
                  message=message or f'slice index {expected}')
        # The image shown is the slice's: its rendered URL names the slice's instance.
        self.wait(f"(() => {{ const c = {STAGE}.annulusViewer.current(); const i = document.querySelector("
                  "'.viewer-image img'); return i.dataset.rendered.includes('/instances/' + c.sopInstanceUID + '/'); })()",
                  message=f'the image of slice {expected} on screen')

    def letters(self):
        return self.driver.execute_script(
            "return Object.fromEntries([...document.querySelectorAll('.orientation')].map(e => [e.dataset.edge, "
            "e.textContent]))")

    def select_series(self, pattern):
        button = next(b for b in self.all('.series-button') if re.search(pattern, b.text))
        button.click()
        uid = button.get_attribute('data-series')
        self.wait(f"{STAGE}.dataset.series === '{uid}'", message=f'series {pattern}')
        self.wait("!document.querySelector('.viewer-stage.loading') && document.querySelector('.viewer-image img')"
                  f".dataset.rendered && {STAGE}.annulusViewer.current().series === '{uid}'")
        return uid

    def image_rect(self):
        return self.driver.execute_script(
            "const r = document.querySelector('.viewer-image img').getBoundingClientRect();"
            "return [r.left, r.top, r.width, r.height]")

    # --- tests -----------------------------------------------------------------------------------------------------
    def test_scrolling_by_wheel_keys_and_slider(self):
        viewport = self.open_study('ACC-MR-0001')
        self.assertEqual(self.stage()['plane'], 'sagittal')
        start = self.index()
        self.assertEqual(start, 7, 'a stack opens at its middle slice')
        first_src, first_url = self.image()
        self.assertTrue(first_src.startswith('blob:'), first_src)
        self.assertIn('window=auto', first_url)

        ActionChains(self.driver).scroll_from_origin(ScrollOrigin.from_element(viewport), 0, 100).perform()
        self.wait_index(start + 1, 'one wheel notch down: the next slice')
        src, url = self.image()
        self.assertNotEqual(src, first_src)
        self.assertNotEqual(url, first_url)
        ActionChains(self.driver).scroll_from_origin(ScrollOrigin.from_element(viewport), 0, -100).perform()
        self.wait_index(start)
        self.assertEqual(self.image()[1], first_url)
        self.wait("performance.getEntriesByName('slice-request-8').length > 0 && "
                  "performance.getEntriesByName('slice-painted-8').length > 0", message='the scroll marks')

        viewport.send_keys(Keys.ARROW_DOWN)
        self.wait_index(start + 1)
        viewport.send_keys(Keys.ARROW_UP)
        self.wait_index(start)
        viewport.send_keys(Keys.PAGE_DOWN)
        self.wait_index(start + 2, 'PgDn: a tenth of 15 slices (2)')
        viewport.send_keys(Keys.PAGE_UP)
        self.wait_index(start)
        viewport.send_keys(Keys.HOME)
        self.wait_index(0)
        viewport.send_keys(Keys.END)
        self.wait_index(14)
        label = self.text('.slice-label')
        self.assertRegex(label, r'^Slice 15 of 15, [LR] \d+\.\d mm$')
        self.assertRegex(self.text('.viewer-info'), r'Slice 15 / 15')

        slider = self.css('.slice-slider')
        self.assertEqual(slider.get_attribute('aria-valuetext'), label[0].lower() + label[1:])
        width = slider.size['width']
        self.click_at(slider, width * 0.02, slider.size['height'] / 2)
        self.wait_index(0, 'the slider at its left end: the first slice')
        self.screenshot('10-viewer-scrolled')

    def test_window_by_preset_and_by_dragging(self):
        viewport = self.open_study('ACC-MR-0001')
        select = Select(self.css('select.window-choice'))
        self.wait("[...document.querySelectorAll('select.window-choice option')].some(o => o.value === 'file:1')",
                  message="the file's window offered")
        labels = [o.text for o in select.options]
        self.assertIn('T2 spine', labels)
        self.assertTrue(any(label.startswith('File 1 (T2 SPINE') for label in labels), labels)
        select.select_by_value('preset:t2-spine')
        self.wait("document.querySelector('.viewer-image img').dataset.rendered.includes('window=preset%3At2-spine')",
                  message='the T2 spine rendering')
        self.assertEqual(self.stage()['window'], 'preset:t2-spine')
        self.assertIn('Window T2 spine', self.text('.viewer-info'))
        preset_src = self.image()[0]

        # A right-drag windows: from the preset's C 1600 W 2800, to the right widens, downwards raises the centre.
        ab = ActionBuilder(self.driver)
        r = self.driver.execute_script('const r = arguments[0].getBoundingClientRect(); return [r.left, r.top]',
                                       viewport)
        x, y = int(r[0] + 300), int(r[1] + 300)
        ab.pointer_action.move_to_location(x, y).pointer_down(MouseButton.RIGHT)
        for step in range(1, 6):
            ab.pointer_action.move_to_location(x + 20 * step, y + 10 * step)
        ab.pointer_action.pointer_up(MouseButton.RIGHT)
        ab.perform()
        # The drag's last window must be the one rendered. Under load the page may still be catching up with the
        # pointer when perform() returns, so wait until the window chosen (the selector's custom entry), the
        # stage's window and the image's rendering agree, and stay so (never an intermediate value).
        agreed = lambda: self.wait(f"(() => {{ const w = {STAGE}.dataset.window; const m = /^(\\d+),(\\d+)$/.exec(w);"
                  f" const choice = document.querySelector('select.window-choice');"
                  f" return !!m && choice.options[choice.selectedIndex].text === `Custom: C ${{m[1]}} W ${{m[2]}}`"
                  f" && document.querySelector('.viewer-image img').dataset.rendered"
                  f".endsWith('window=' + encodeURIComponent(w)); }})()",
                  message='the dragged window rendered') and self.stage()['window']
        settled, window = None, agreed()
        while window != settled:
            time.sleep(0.5)
            settled, window = window, agreed()
        center, width = map(float, self.stage()['window'].split(','))
        self.assertGreater(width, 2800)
        self.assertGreater(center, 1600)
        self.assertNotEqual(self.image()[0], preset_src)
        self.assertEqual(select.first_selected_option.text, f'Custom: C {center:g} W {width:g}')

        # Window mode: the left button windows too; the '0' key resets to auto.
        self.css('button.window-mode').click()
        self.assertEqual(self.css('button.window-mode').get_attribute('aria-pressed'), 'true')
        ab = ActionBuilder(self.driver)
        ab.pointer_action.move_to_location(x, y).pointer_down(MouseButton.LEFT)
        ab.pointer_action.move_to_location(x - 60, y)
        ab.pointer_action.pointer_up(MouseButton.LEFT)
        ab.perform()
        self.wait(f"{STAGE}.dataset.window !== '{center:g},{width:g}'")
        narrower = float(self.stage()['window'].split(',')[1])
        self.assertLess(narrower, width)
        self.screenshot('11-viewer-window-dragged')
        viewport.send_keys('0')
        self.wait(f"{STAGE}.dataset.window === 'auto' && "
                  "document.querySelector('.viewer-image img').dataset.rendered.includes('window=auto')")

    def test_zoom_and_pan(self):
        viewport = self.open_study('ACC-MR-0001')
        left, top, width, height = self.image_rect()
        viewport.send_keys('+')
        self.wait(f"Number({STAGE}.dataset.zoom) > 1")
        zoomed = self.image_rect()
        self.assertAlmostEqual(zoomed[2], width * 1.25, delta=1)
        self.assertIn('Zoom 125 %', self.text('.viewer-info'))
        # Ctrl+wheel zooms about the pointer.
        ActionChains(self.driver).key_down(Keys.CONTROL).scroll_from_origin(
            ScrollOrigin.from_element(viewport), 0, -200).key_up(Keys.CONTROL).perform()
        self.wait(f"Number({STAGE}.dataset.zoom) > 1.25")
        # A drag pans.
        before = self.image_rect()
        ab = ActionBuilder(self.driver)
        r = self.driver.execute_script('const r = arguments[0].getBoundingClientRect(); return [r.left, r.top]',
                                       viewport)
        ab.pointer_action.move_to_location(int(r[0] + 200), int(r[1] + 200)).pointer_down()
        ab.pointer_action.move_to_location(int(r[0] + 260), int(r[1] + 170)).pointer_up()
        ab.perform()
        moved = self.image_rect()
        self.assertAlmostEqual(moved[0] - before[0], 60, delta=2)
        self.assertAlmostEqual(moved[1] - before[1], -30, delta=2)
        self.screenshot('12-viewer-zoomed')
        self.css('.viewer-toolbar button[aria-label^="Reset"]').click()
        self.wait(f"{STAGE}.dataset.zoom === '1'")
        self.assertEqual([round(v) for v in self.image_rect()], [round(v) for v in (left, top, width, height)])
        self.css('.viewer-toolbar button[aria-label^="Zoom out"]').click()
        self.wait(f"Number({STAGE}.dataset.zoom) < 1")

    def test_orientation_letters_and_cross_reference_lines(self):
        self.open_study('ACC-MR-0001')
        self.assertEqual(self.letters(), {'top': 'S', 'bottom': 'I', 'left': 'A', 'right': 'P'})
        # On the sagittal: the lines of the axial series (two blocks of five), the slice it opens at highlighted.
        self.wait("document.querySelectorAll('.crossref-line').length === 10", message='10 axial lines on the sagittal')
        self.assertEqual(len(self.all('.crossref-line.current')), 1)
        sagittal = self.stage()['series']
        self.screenshot('13-viewer-sagittal-crossref')

        axial = self.select_series(r'AX')
        self.assertEqual(self.stage()['plane'], 'axial')
        self.assertEqual(self.letters(), {'top': 'A', 'bottom': 'P', 'left': 'R', 'right': 'L'})
        # On the axial: the lines of the sagittal T2 just shown, its slice (index 7) highlighted.
        self.wait("document.querySelectorAll('.crossref-line').length >= 10")
        current = self.driver.execute_script(
            "const c = document.querySelectorAll('.crossref-line.current'); return [c.length, c[0].dataset.series,"
            " c[0].dataset.position]")
        self.assertEqual(current, [1, sagittal, '7'])
        self.screenshot('14-viewer-axial-crossref')

        # Scrolling the axial into its second block moves the highlighted line on the sagittal.
        self.css('.viewer-viewport').send_keys(Keys.END)
        self.wait_index(9)
        self.assertIn('block 2 of 2', self.text('.slice-label'))
        self.select_series(r'T2 TSE SAG')
        current = self.driver.execute_script(
            "const c = document.querySelectorAll('.crossref-line.current'); return [c.length, c[0].dataset.series,"
            " c[0].dataset.position]")
        self.assertEqual(current, [1, axial, '9'])

        # Clicking a line shows that slice.
        line = self.driver.execute_script(
            "return [...document.querySelectorAll('.crossref-line')].find(l => l.dataset.position === '2')")
        hit = line.find_element('css selector', '.crossref-hit')
        hit.click()
        self.wait(f"{STAGE}.dataset.series === '{axial}'")
        self.wait_index(2)

    def test_neighbouring_slices_are_prefetched_and_the_cache_is_bounded(self):
        self.open_study('ACC-MR-0001')
        viewer = STAGE + '.annulusViewer'
        # Without any scrolling: the slices after the one shown (up to 12) and 4 before it are requested.
        script = ("const c = " + viewer + ".current(); const names = performance.getEntriesByType('resource')"
                  ".map(e => e.name).filter(n => n.includes('/rendered?'));"
                  "return {names, position: c.position};")
        self.wait("performance.getEntriesByType('resource').filter(e => e.name.includes('/rendered?')).length >= 12",
                  message='the slices around the middle prefetched')
        state = self.driver.execute_script(script)
        study = self.driver.execute_async_script(
            "const done = arguments[0]; fetch('/api/studies/' + location.hash.split('/')[2]).then(r => r.json())"
            ".then(done)")
        sagittal = study['series'][0]['stacks'][0]['slices']
        self.assertEqual(state['position'], 7)

        def requested(index):
            return any('/instances/' + sagittal[index]['sopInstanceUID'] + '/' in n for n in state['names'])
        self.assertEqual([i for i in range(15) if requested(i)], list(range(3, 15)))
        stats = self.driver.execute_script('return ' + viewer + '.cacheStats()')
        self.assertGreaterEqual(stats['entries'], 12)
        self.assertLessEqual(stats['entries'], stats['maxEntries'])
        self.assertEqual(stats['failed'], 0)
        # Scrolling onto a prefetched slice needs no new request.
        before = len(state['names'])
        self.css('.viewer-viewport').send_keys(Keys.ARROW_DOWN)
        self.wait_index(8)
        after = self.driver.execute_script(script)['names']
        self.assertEqual(len(after), before)

    def test_pick_and_marks(self):
        viewport = self.open_study('ACC-MR-0001')
        viewer = STAGE + '.annulusViewer'
        self.driver.execute_script(
            f"window.__pick = 'pending'; {viewer}.pick({{mode: 'point', prompt: 'Place the finding'}})"
            ".then(r => { window.__pick = r; })")
        prompt = self.css('.pick-prompt')
        self.assertIn('Place the finding: click the image', prompt.text)
        rect = self.image_rect()
        cols = self.driver.execute_script(f"return {viewer}.current()")
        self.click_at(viewport, rect[0] - viewport.location['x'] + rect[2] / 2,
                      rect[1] - viewport.location['y'] + rect[3] / 2)
        self.wait("window.__pick !== 'pending'")
        pick = self.driver.execute_script('return window.__pick')
        self.assertEqual(pick['sopInstanceUID'], cols['sopInstanceUID'])
        self.assertEqual(pick['frame'], 0)
        self.assertAlmostEqual(pick['points'][0][0], 256, delta=3)
        self.assertAlmostEqual(pick['points'][0][1], 256, delta=3)
        self.assertEqual(len(pick['patient'][0]), 3)
        self.assertEqual(self.all('.pick-prompt'), [])
        # The patient position agrees with the viewer's own mapping.
        mapped = self.driver.execute_script(
            f"return {viewer}.toPatient(arguments[0].sopInstanceUID, 0, arguments[0].points[0])", pick)
        for a, b in zip(mapped, pick['patient'][0]):
            self.assertAlmostEqual(a, b, delta=0.01)

        # Escape cancels (null).
        self.driver.execute_script(f"window.__pick = 'pending'; {viewer}.pick({{mode: 'point'}}).then(r => {{ "
                                   "window.__pick = r; })")
        self.css('.pick-prompt')
        viewport.send_keys(Keys.ESCAPE)
        self.wait('window.__pick === null')

        # A polyline: three clicks and Enter.
        self.driver.execute_script(f"window.__pick = 'pending'; {viewer}.pick({{mode: 'polyline', prompt: "
                                   "'Trace the fissure'}).then(r => { window.__pick = r; })")
        self.assertIn('press Enter or double-click', self.text('.pick-prompt'))
        for dx in (-40, 0, 40):
            self.click_at(viewport, 400 + dx, 300 + dx / 4)
        self.wait("document.querySelectorAll('.pick-point').length === 3")
        viewport.send_keys(Keys.ENTER)
        self.wait("window.__pick !== 'pending'")
        self.assertEqual(len(self.driver.execute_script('return window.__pick.points')), 3)

        # Marks: a draft finding on this image, a warning on it, a signed one on another image (not drawn here),
        # and disc labels near and far from the plane.
        current = self.driver.execute_script(f"return {viewer}.current()")
        centre = self.driver.execute_script(
            f"return {viewer}.toPatient(arguments[0].sopInstanceUID, 0, [256, 256])", current)
        marks = [
            {'id': 'a1', 'label': 'L4-L5 annular fissure', 'kind': 'finding', 'status': 'draft', 'warning': False,
             'sopInstanceUID': current['sopInstanceUID'], 'frame': 0, 'points': [[250, 300]]},
            {'id': 'a2', 'label': 'L5-S1 HIZ', 'kind': 'finding', 'status': 'signed', 'warning': True,
             'sopInstanceUID': current['sopInstanceUID'], 'frame': 0, 'points': [[200, 320], [220, 330]]},
            {'id': 'a3', 'label': 'elsewhere', 'kind': 'finding', 'status': 'signed', 'warning': False,
             'sopInstanceUID': '1.2.3', 'frame': 0, 'points': [[10, 10]]},
        ]
        discs = [
            {'id': 'd1', 'label': 'L4-L5', 'kind': 'disc', 'patient': centre},
            {'id': 'd2', 'label': 'L3-L4', 'kind': 'disc', 'patient': [centre[0] + 10, centre[1], centre[2] + 30]},
            {'id': 'd3', 'label': 'far', 'kind': 'disc', 'patient': [centre[0] + 40, centre[1], centre[2]]},
        ]
        self.driver.execute_script(f"{viewer}.setMarks('findings', arguments[0]); {viewer}.setMarks('discs', "
                                   "arguments[1])", marks, discs)
        drawn = self.driver.execute_script(
            "return [...document.querySelectorAll('.mark')].map(m => [m.dataset.markId, m.getAttribute('class'),"
            " m.textContent])")
        by_id = {m[0]: m for m in drawn}
        self.assertEqual(sorted(by_id), ['a1', 'a2', 'd1', 'd2'])
        self.assertIn('mark-status-draft', by_id['a1'][1])
        self.assertIn('✎ draft', by_id['a1'][2])
        self.assertIn('mark-warning', by_id['a2'][1])
        self.assertIn('⚠', by_id['a2'][2])
        self.assertIn('✔ signed', by_id['a2'][2])
        self.assertEqual(by_id['d1'][2], 'L4-L5')
        self.assertEqual(by_id['d2'][2], 'L3-L4 (10 mm off)')
        self.screenshot('15-viewer-marks')
        # Another slice far from the first finding's image: findings gone, the disc labels follow the plane.
        self.css('.viewer-viewport').send_keys(Keys.HOME)
        self.wait_index(0)
        remaining = self.driver.execute_script(
            "return [...document.querySelectorAll('.mark')].map(m => m.dataset.markId)")
        self.assertNotIn('a1', remaining)

        # On an axial slice (256 x 256, blocks of 5 slices 3.5 mm apart: 17.5 mm) a disc label shows within half the
        # block, not beyond.
        self.select_series(r'AX')
        axial = self.driver.execute_script(f"return {viewer}.current()")
        centre = self.driver.execute_script(
            f"return {viewer}.toPatient(arguments[0].sopInstanceUID, 0, [128, 128])", axial)
        self.driver.execute_script(f"{viewer}.setMarks('discs', arguments[0])", [
            {'id': 'near', 'label': 'L4-L5', 'kind': 'disc', 'patient': [centre[0], centre[1], centre[2] + 4]},
            {'id': 'beyond', 'label': 'L3-L4', 'kind': 'disc', 'patient': [centre[0], centre[1], centre[2] + 30]},
        ])
        shown = self.driver.execute_script(
            "return [...document.querySelectorAll('.mark')].map(m => [m.dataset.markId, m.textContent])")
        self.assertEqual(len(shown), 1, shown)
        self.assertEqual(shown[0][0], 'near')
        self.assertRegex(shown[0][1], r'^L4-L5 \(\d mm off\)$')

    def test_cine_plays_and_pauses(self):
        viewport = self.open_study('ACC-RF-0001')
        controls = self.css('.cine-controls')
        self.wait("/Frame 1 \\/ \\d+ · 10 fps \\(Frame Time\\)/.test(document.querySelector('.cine-label').textContent)",
                  message='the cine label with the file rate')
        self.assertEqual(self.stage()['frameIndex'], '0')
        self.assertEqual(self.all('.slice-controls'), [])
        play = controls.find_element('css selector', 'button.cine-play')
        self.assertEqual(play.get_attribute('aria-label'), 'Play the cine (P)')
        play.click()
        self.wait(f"Number({STAGE}.dataset.frameIndex) >= 3", message='the frame index advancing')
        self.assertEqual(play.get_attribute('aria-pressed'), 'true')
        self.screenshot('16-viewer-cine-playing')
        play.click()
        # A frame already on its way when the pause came is shown (the slider and label name it already): the
        # player stops on it. Then nothing moves.
        self.wait(f"{STAGE}.dataset.frameIndex === String(document.querySelector('.cine-slider').value - 1)",
                  message='the paused frame painted')
        paused = self.stage()['frameIndex']
        time.sleep(0.6)
        self.assertEqual(self.stage()['frameIndex'], paused, 'paused: the frame stays')
        self.assertIn(f'/frames/{paused}/rendered', self.image()[1])
        # The keyboard plays too (P), and the arrows step frames when paused.
        viewport.send_keys('p')
        self.wait(f"{STAGE}.dataset.frameIndex !== '{paused}'")
        viewport.send_keys('p')
        self.wait(f"{STAGE}.dataset.frameIndex === String(document.querySelector('.cine-slider').value - 1)")
        stopped = int(self.stage()['frameIndex'])
        viewport.send_keys(Keys.ARROW_RIGHT)
        frames = int(self.css('.cine-slider').get_attribute('max'))
        self.wait(f"{STAGE}.dataset.frameIndex === '{(stopped + 1) % frames}'")
