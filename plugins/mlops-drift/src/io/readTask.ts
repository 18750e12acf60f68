import { Transferable } from 'node:worker_threads';
import type { ReadTask } from '../worker/protocol';
import { readCsvPart } from './csv';
import { readDataset } from './readDataset';
import { ownsWholeBuffer, portReadable } from './streamChannel';
import { LoadedDataset } from './types';

/**
 * Runs a read task on a worker thread: opens the file (or takes the copied
 * bytes, or the chunks forwarded from the calling thread) and parses it
 * with the streaming readers into typed column arrays.
 */
export async function runReadTask(task: ReadTask): Promise<LoadedDataset> {
  const { source, format, name, columns } = task;
  if (task.csvPart) {
    if (source.kind !== 'path') {
      throw new Error('Only files are read in parts');
    }
    return readCsvPart(source.path, task.csvPart, { name, columns });
  }
  switch (source.kind) {
    case 'path':
      return readDataset({ path: source.path, format, name }, { columns });
    case 'bytes':
      return readDataset(
        {
          data: Buffer.from(
            source.bytes.buffer,
            source.bytes.byteOffset,
            source.bytes.byteLength,
          ),
          format,
          name,
        },
        { columns },
      );
    default:
      return readDataset(
        { data: portReadable(source.port), format, name },
        { columns },
      );
  }
}

/** The column buffers of a dataset that can be moved to another thread. */
export function datasetTransferList(dataset: LoadedDataset): Transferable[] {
  const seen = new Set<ArrayBufferLike>();
  const list: Transferable[] = [];
  for (const data of Object.values(dataset.columns)) {
    const view = data.kind === 'numeric' ? data.values : data.codes;
    if (ownsWholeBuffer(view) && !seen.has(view.buffer)) {
      seen.add(view.buffer);
      list.push(view.buffer as ArrayBuffer);
    }
  }
  return list;
}
