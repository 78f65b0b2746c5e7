/**
 * A large rendered-looking nginx config and an edited copy of it, the same for every run (a
 * seeded generator): `edits` lines changed, inserted or removed at spread-out places. Used by the
 * version diff's test and by its benchmark (bench/nginx/diff.ts).
 */
export function largeConfigPair(
  lines = 20_000,
  edits = 2_000,
): { before: string; after: string; edited: number } {
  let seed = 20261201;
  const random = () => {
    // a linear congruential generator: repeatable, no dependency
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const before: string[] = [];
  for (let i = 0; i < lines; i++) {
    const upstream = Math.floor(i / 8);
    before.push(
      i % 8 === 0
        ? `upstream shop-${upstream} {`
        : `    server 10.${upstream % 256}.${i % 256}.${
            i % 7
          }:8080 max_fails=3;`,
    );
  }
  const after = [...before];
  // from the end, so that earlier positions stay where they were drawn
  const places = new Set<number>();
  while (places.size < edits) places.add(Math.floor(random() * lines));
  let edited = 0;
  for (const at of [...places].sort((a, b) => b - a)) {
    const what = random();
    if (what < 0.5) {
      after[at] = `${after[at]} # weight=${at}`;
      edited += 2; // one line removed, one added
    } else if (what < 0.75) {
      after.splice(at, 0, `    server 192.168.${at % 256}.1:9090 backup;`);
      edited += 1;
    } else {
      after.splice(at, 1);
      edited += 1;
    }
  }
  return {
    before: `${before.join('\n')}\n`,
    after: `${after.join('\n')}\n`,
    edited,
  };
}
