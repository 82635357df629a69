// Sweep management in headless Chromium at desktop and phone sizes: rename, tag and write notes through the edit
// page, archive (the list hides the sweep until "show archived"), then delete through the confirmation page.
// Screenshots go to $INITLAB_SCREENSHOTS (or a temp folder) for a look.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useManagedApp } from '../helpers/managed-sweeps.js';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

const VIEWPORTS = [
  { name: 'desktop', width: 1400, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

describe('sweep management in a browser', () => {
  const app = useManagedApp();
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    dir = process.env.INITLAB_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'initlab-manage-'));
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`renames, tags, archives and deletes a sweep at ${viewport.width}×${viewport.height}`, async () => {
      const id = await app.finishedSweep(`untitled ${viewport.name}`);
      const server = app.server;
      const page = await browser.newPage({ viewport });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      const shot = async (name: string) => {
        const path = join(dir, `manage-${viewport.name}-${name}.png`);
        await page.screenshot({ path, fullPage: false });
        expect(statSync(path).size).toBeGreaterThan(5_000);
      };

      // Edit: name, tags, notes with hostile bits that must stay text.
      await page.goto(`${server.url}/sweeps/${id}`);
      await page.getByRole('link', { name: 'Edit', exact: true }).click();
      await page.getByLabel('Name', { exact: true }).fill(`relu baseline ${viewport.name}`);
      await page.getByLabel(/^Tags/).fill('baseline, relu, <b>x</b>');
      await page.getByLabel(/^Notes/).fill('Why: **compare** with `he_normal`.\n\n- see [docs](https://example.org)\n- [bad](javascript:alert(1))\n\n<script>alert(2)</script>');
      await shot('edit');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${server.url}/sweeps/${id}`);
      expect(await page.locator('h1').innerText()).toBe(`relu baseline ${viewport.name}`);
      expect(await page.locator('.page-head .tag').allInnerTexts()).toEqual(['baseline', 'relu', '<b>x</b>']);
      expect(await page.locator('.notes strong').innerText()).toBe('compare');
      expect(await page.locator('.notes a').count()).toBe(1);
      expect(await page.locator('.notes a').getAttribute('href')).toBe('https://example.org');
      expect(await page.locator('.notes script').count()).toBe(0);
      expect(await page.locator('.notes').innerText()).toContain('<script>alert(2)</script>');
      await page.locator('#notes-title').scrollIntoViewIfNeeded();
      await shot('sweep');

      // Archive: gone from the list until "show archived".
      await page.getByRole('button', { name: 'Archive' }).click();
      await page.waitForURL(`${server.url}/sweeps/${id}`);
      await page.locator('.page-head .badge.archived').waitFor();
      await page.goto(`${server.url}/`);
      expect(await page.locator(`#sweep-row-${id}`).count()).toBe(0);
      await page.getByRole('link', { name: /^Show archived \(\d+\)$/ }).click();
      await page.locator(`#sweep-row-${id} .badge.archived`).waitFor();
      expect(await page.locator(`#sweep-row-${id} .tag`).allInnerTexts()).toEqual(['baseline', 'relu', '<b>x</b>']);
      await shot('list-archived');

      // Delete: the confirmation says what goes; confirming lands on the list without the sweep.
      await page.goto(`${server.url}/sweeps/${id}`);
      await page.getByRole('link', { name: 'Delete…' }).click();
      expect(await page.locator('.delete-summary').innerText())
        .toBe(`Deleting sweep #${id} deletes 2 runs, 6 epoch rows, 6 layer rows.`);
      await shot('delete');
      await page.getByRole('button', { name: 'Delete sweep and 2 runs' }).click();
      await page.waitForURL(`${server.url}/`);
      await page.goto(`${server.url}/?archived=1`);
      expect(await page.locator(`#sweep-row-${id}`).count()).toBe(0);
      expect(() => app.services.store.getSweep(id)).toThrow(/not found/);
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  }
});
