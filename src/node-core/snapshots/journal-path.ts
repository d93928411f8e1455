/** Where an interrupted restore leaves its journal (restore.ts), apart from the restore code: the node checks it at every start. */
import path from 'node:path';

/** `<root>.restore.lock`: the restore journal (JSON), next to the data directory. */
export function journalPath(root: string): string {
  return `${path.resolve(root)}.restore.lock`;
}
