// A browser dApp page in Debian's Chromium (driven by playwright-core; no Playwright browser download) runs the e2e
// scenario with viem's http transport against the wrapper (cross-origin: exercises its CORS), with a private-key account.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { compileContracts } from "../lib/compile.js";
import { ACCOUNTS, CHAIN_ID, RPC_URL, TEST_TIMEOUT_MS, TX_TIMEOUT_MS, devAccount } from "../lib/env.js";

const DAPP = join(dirname(fileURLToPath(import.meta.url)), "..", "dapp");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];

describe("browser dApp (Chromium + viem http transport)", { timeout: TEST_TIMEOUT_MS }, () => {
  let server, origin, context, profile;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (test.sh does this)`);
    const bundle = await build({ entryPoints: [join(DAPP, "app.js")], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "error" });
    const files = {
      "/": { type: "text/html", body: readFileSync(join(DAPP, "index.html")) },
      "/app.js": { type: "text/javascript", body: bundle.outputFiles[0].contents },
      "/artifacts.json": { type: "application/json", body: JSON.stringify(compileContracts()) },
      "/config.json": { type: "application/json", body: JSON.stringify({ rpcUrl: RPC_URL, chainId: CHAIN_ID, privateKey: devAccount(ACCOUNTS.browser).privateKey,
        receiver: devAccount(ACCOUNTS.receiver).address, txTimeoutMs: TX_TIMEOUT_MS }) },
    };
    server = createServer((req, res) => {
      const file = files[new URL(req.url, "http://x").pathname];
      if (!file) { res.writeHead(404).end(); return; }
      res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
    profile = mkdtempSync(join(tmpdir(), "pwr-e2e-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    // (Playwright passes the fresh profile directory to Chromium as --user-data-dir itself)
  });

  after(async () => {
    await context?.close().catch(() => {});
    server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test("the dApp deploys, transfers, reads logs and decodes a revert in the browser", async () => {
    const page = await context.newPage();
    const consoleErrors = [];
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    await page.goto(origin + "/");
    await page.waitForFunction(() => window.__e2e?.done === true, null, { timeout: TEST_TIMEOUT_MS - 30_000, polling: 500 });
    const { steps } = await page.evaluate(() => window.__e2e);
    if (process.env.PWR_E2E_SCREENSHOT) await page.screenshot({ path: process.env.PWR_E2E_SCREENSHOT, fullPage: true });
    const failed = steps.filter((s) => !s.ok);
    assert.deepEqual(failed, [], `failed steps: ${JSON.stringify(failed)}; console: ${consoleErrors.join(" | ")}`);
    const names = steps.map((s) => s.name);
    for (const expected of ["chain id", "deploy ERC-20 (EIP-1559)", "ERC-20 transfer (EIP-1559)", "ERC-20 transfer (legacy)", "getLogs", "revert reason", "ERC-721 deploy, mint, transfer"])
      assert.ok(names.includes(expected), `step ${expected} did not run: ${names}`);
    assert.equal(await page.textContent("#status"), "all steps passed");
  });
});
