#!/usr/bin/env node
/* Waits until a URL answers (any HTTP status), for Playwright's webServer when the server itself is
 * started by another entry. Exits 1 after the timeout (ms, default 300000). */
const [url, timeoutArg] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg ?? 300_000);

async function poll() {
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) {
        console.error(`wait-for-url: ${url} did not answer in time`);
        process.exit(1);
      }
      await new Promise(r => setTimeout(r, 1000));
    }
  }
}
poll().then(() => setInterval(() => {}, 1 << 30));
