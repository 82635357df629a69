// `initlab presets`: the shipped sweep presets, one per line.
import type { CliIo } from './io.js';
import { listPresets } from '../presets.js';

export async function presetsCommand(_args: string[], io: CliIo): Promise<number> {
  const presets = listPresets();
  const width = Math.max(...presets.map((p) => p.name.length));
  for (const preset of presets) {
    io.stdout.write(`${preset.name.padEnd(width)}  ${String(preset.runs).padStart(4)} runs  ${preset.title}: ${preset.description}\n`);
  }
  return 0;
}
