// The web API inventory (requests served and made) from diagnostics channels.
export { installWebRecorders } from './web-inventory.js';
export { pathOfTarget, templatePath } from './route-template.js';
export { webFilePatches } from './framework-routes.js';
