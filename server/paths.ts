// Where the project's own files are, whether running from source (tsx) or from the build in dist/.
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The package root: server/.. from source, dist/server/../.. from the build. */
export const projectRoot = here.split(sep).includes('dist') ? join(here, '..', '..') : join(here, '..');

/** The dashboard's own CSS, JS and images (not compiled, so always read from the source tree). */
export const staticDir = join(projectRoot, 'views', 'static');
