/** Shared by the browser tests and bench/web: Debian chromium through playwright-core, and signing in. */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface Browser {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

export async function launchBrowser(
  executablePath: string,
  viewport = { width: 1440, height: 900 },
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'labelport-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, url: string, apiKey: string): Promise<void> {
  await page.goto(`${url}/#/projects`)
  await page.getByTestId('api-key-input').fill(apiKey)
  await page.getByTestId('sign-in-submit').click()
  await page.getByTestId('organization').locator('.lp-org-name').waitFor()
}

export const SCREENSHOTS = new URL('../../../test-artifacts/screenshots/', import.meta.url).pathname

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path })
  return path
}
