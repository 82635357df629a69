// Development bootstrap for Piscina threads running from TypeScript source (tests, `tsx server/cli.ts`):
// Node 20 does not carry the tsx loader from `--import tsx` into worker threads, so register it here,
// inside the thread, then load the real worker module named in workerData.
import { workerData } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const mod = await import(workerData.tsWorker);
export default mod.default;
