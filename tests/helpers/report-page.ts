/**
 * Opens one of the project's self-contained HTML pages (the analyst report, the what-if replay) in
 * headless Chromium the way an analyst opens the file, and checks what every such page owes its
 * reader: the charts drew, no script failed, and nothing but the file itself was loaded.
 */
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser } from './browser';

export async function withReportPage(file: string, body: (page: Page) => Promise<void>): Promise<void> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts]');
    expect(await page.getAttribute('body', 'data-charts-error')).toBeNull();
    expect(await page.getAttribute('body', 'data-charts')).toBe('ready');
    expect(errors).toEqual([]);
    // Self-contained: nothing but the file itself was loaded.
    expect(requests).toEqual([pathToFileURL(file).href]);
    await body(page);
  } finally {
    await browser.close();
  }
}
