// SPDX-License-Identifier: GPL-2.0-or-later
// Opens siplint's HTML report in headless Chromium (puppeteer-core, /usr/bin/chromium) and checks
// that it behaves: no network request of any kind, no console error, every ladder rendered with
// its arrows, the findings table filled, sortable and filterable, a click on a message showing its
// text with the offending line marked, a table row's ladder link selecting its message.
// Usage: node check_browser.js REPORT.html [SCREENSHOT_DIR]
'use strict';
const path = require('path');
const puppeteer = require('puppeteer-core');

const report = path.resolve(process.argv[2]);
const shots = process.argv[3] ? path.resolve(process.argv[3]) : null;
const url = 'file://' + report;
let failures = 0, passes = 0;
const fail = (m) => { failures++; console.log('FAIL ' + m); };
const ok = (m) => { passes++; console.log('ok   ' + m); };
const check = (cond, m, detail) => (cond ? ok(m) : fail(m + (detail !== undefined ? ': ' + JSON.stringify(detail) : '')));

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: 'new',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const external = [], consoleErrors = [];
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      if (r.url() === url || r.url().startsWith(url + '#')) r.continue();
      else { external.push(r.url()); r.abort(); }
    });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(url, { waitUntil: 'load' });

    check(external.length === 0, 'no request besides the report itself', external);
    check(consoleErrors.length === 0, 'no console error or uncaught exception', consoleErrors);

    const lad = await page.evaluate(() => [...document.querySelectorAll('section.ladder')].map((s) => {
      const svg = s.querySelector('svg.lad');
      const r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
      const arrows = [...s.querySelectorAll('g.m .arr')].map((a) => a.getBBox());
      return { id: s.id, w: r.width, h: r.height, n: s.querySelectorAll('g.m').length,
               drawn: arrows.filter((b) => b.width > 0 || b.height > 0).length, arrows: arrows.length };
    }));
    check(lad.length > 0 && lad.every((l) => l.w > 100 && l.h > 50 && l.n > 0 && l.drawn === l.n && l.arrows === l.n),
          lad.length + ' ladders rendered, every message an arrow with a size', lad);

    const data = await page.evaluate(() => JSON.parse(document.getElementById('sl-data').textContent));
    const nrows = await page.$$eval('#ft tbody tr', (t) => t.length);
    check(nrows === Math.min(250, data.findings.length), 'findings table has a row per finding', [nrows, data.findings.length]);

    // sort by rule
    await page.click('#ft th:nth-child(3)');
    const ruleCol = await page.$$eval('#ft tbody tr td:nth-child(3)', (t) => t.map((x) => x.textContent));
    check(ruleCol.join('\n') === [...ruleCol].sort().join('\n'), 'sorting by rule orders the rows', ruleCol);
    // filter: errors only
    await page.select('#f-sev', '3');
    const sevCol = await page.$$eval('#ft tbody tr td:nth-child(2)', (t) => t.map((x) => x.textContent));
    const nerr = data.findings.filter((f) => f[3] === 3).length;
    check(sevCol.length === nerr && sevCol.every((s) => s === 'error'), 'the severity filter keeps the errors', sevCol);
    await page.select('#f-sev', '');

    // click the offending message of the first ladder: its text, the offending line marked
    const first = await page.$('section.ladder g.m.off');
    await first.click();
    const view = await page.evaluate(() => {
      const g = document.querySelector('section.ladder g.m.sel');
      const s = g.closest('section.ladder');
      const v = s.querySelector('.msgview');
      const marks = [...v.querySelectorAll('pre mark')].map((m) => m.textContent);
      return { hidden: v.hidden, frame: g.dataset.frame, head: v.querySelector('.mvh').textContent,
               text: v.querySelector('pre').textContent, marks, visible: v.getBoundingClientRect().height };
    });
    check(!view.hidden && view.visible > 20 && view.text.length > 50 && /SIP\/2\.0/.test(view.text) &&
          view.head.startsWith('frame ' + view.frame), 'a click on a message shows its text', view.head);
    check(view.marks.length > 0 && view.marks.every((m) => view.text.includes(m.replace(/^[A-Z0-9-]+( [A-Z0-9-]+)*/, ''))),
          'the offending line is marked in the message text', view.marks);

    // a table row's ladder link selects its message
    await page.select('#f-sev', '3');
    const link = await page.$('#ft tbody tr a.fl');
    const href = await link.evaluate((a) => a.getAttribute('href'));
    await link.click();
    const sel = await page.evaluate((h) => {
      const g = document.getElementById(h.slice(1));
      return g ? { sel: g.classList.contains('sel'), hidden: g.closest('section.ladder').querySelector('.msgview').hidden } : null;
    }, href);
    check(sel && sel.sel && !sel.hidden, 'a finding\'s ladder link opens its message in the diagram', [href, sel]);
    await page.select('#f-sev', '');

    // the rule pages are there and a rule link lands on one
    const rules = await page.$$eval('section.rule', (s) => s.map((x) => [x.id, x.querySelector('h3') ? x.querySelector('h3').textContent : '']));
    check(rules.length > 0 && rules.every((r) => r[1].startsWith(r[0].slice(5))), 'each reported rule has its page embedded', rules);

    check(external.length === 0 && consoleErrors.length === 0, 'still no request and no error after interaction',
          external.concat(consoleErrors));

    if (shots) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(shots, 'html-report-summary.png') });
      // the ladder with the most messages, its offending message opened
      const best = lad.reduce((a, b) => (b.n > a.n ? b : a));
      await page.evaluate((id) => { const g = document.querySelector('#' + id + ' g.m[data-sev="3"]') || document.querySelector('#' + id + ' g.m.off'); g.dispatchEvent(new MouseEvent('click', { bubbles: true })); }, best.id);
      const el = await page.$('#' + best.id);
      await el.screenshot({ path: path.join(shots, 'html-report-ladder.png') });
      ok('screenshots written to ' + shots);
    }
  } finally {
    await browser.close();
  }
  console.log(passes + ' passed, ' + failures + ' failed');
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.log('FAIL ' + (e && e.stack || e)); process.exit(1); });
