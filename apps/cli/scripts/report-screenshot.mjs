#!/usr/bin/env node
// Screenshot of a demo report for the README: `node scripts/report-screenshot.mjs DEMO_DIR OUT.png [HEIGHT] [SECTION_ID]`.
// Renders DEMO_DIR/report.html in headless Chromium (Debian `chromium`, or CHROMIUM_PATH), takes the top of the
// page at 1200 px wide and writes a small palette PNG with sharp.
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import sharp from 'sharp';

const [dir, out, height = '2000', section] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: node scripts/report-screenshot.mjs DEMO_DIR OUT.png [HEIGHT_PX]');
  process.exit(2);
}
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: Number(height), deviceScaleFactor: 1 });
  await page.goto(`file://${path.resolve(dir, 'report.html')}`, { waitUntil: 'load' });
  // From the top of the page, or from a section (e.g. identify) down.
  const y = section
    ? // eslint-disable-next-line no-undef -- runs in the page, where document exists
      await page.evaluate((id) => document.getElementById(id)?.getBoundingClientRect().top ?? 0, section)
    : 0;
  const png = await page.screenshot({ type: 'png', clip: { x: 0, y, width: 1200, height: Number(height) } });
  await sharp(png).resize({ width: 900 }).png({ palette: true, colours: 128, compressionLevel: 9 }).toFile(out);
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
