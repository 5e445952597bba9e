// A registry mirror that serves only Linux builds of platform-specific packages makes
// `npm install` leave the other platforms' optional binaries (swc, rollup, esbuild…) out of the lockfile,
// and `npm ci` then refuses the lockfile as out of sync. Listing each missing optional dependency by version
// restores what the public registry would have written; npm skips those that do not fit the platform.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const added = [];
for (const pkg of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (!lock.packages[key]) {
      lock.packages[key] = { version, optional: true };
      added.push(`${name}@${version}`);
    }
  }
}
if (added.length) {
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`package-lock.json: listed ${added.length} optional platform packages the mirror left out`);
}
