/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`: optimal string alignment. */
function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  const cells = new Uint16Array((a.length + 1) * width);
  const at = (i: number, j: number): number => cells[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) cells[i * width] = i;
  for (let j = 0; j <= b.length; j++) cells[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      cells[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known word a mistyped one most likely meant (at most 2 edits, case aside), or undefined. */
export function closestWord(typed: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.max(1, typed.length - 1));
  for (const word of known) {
    const distance = editDistance(typed.toLowerCase(), word.toLowerCase());
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = word;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean text?)` for a near miss, else "". */
export function didYouMean(typed: string, known: readonly string[], prefix = ""): string {
  const word = closestWord(typed, known);
  return word === undefined ? "" : ` (did you mean ${prefix}${word}?)`;
}
