// Notebook display: a plot as a Jupyter MIME bundle (the vega-lite v5 type JupyterLab renders, plus SVG and text).
import { OptionError } from '../base/errors.ts';
import { toSVG } from './render.ts';
import { VEGA_LITE_MIME, type VegaLiteSpec } from './spec.ts';

/**
 * `{ 'application/vnd.vegalite.v5+json': spec, 'image/svg+xml': svg, 'text/plain': title }`: front ends that run
 * vega-lite (JupyterLab, VS Code) draw the spec; static viewers (nbconvert HTML, GitHub) fall back to the SVG.
 */
export async function mimeBundle(spec: VegaLiteSpec, opts: { svg?: boolean } = {}): Promise<Record<string, unknown>> {
  if (spec === null || typeof spec !== 'object' || typeof spec.$schema !== 'string') {
    throw new OptionError('[mimeBundle] spec must be a vega-lite spec object with a $schema');
  }
  const bundle: Record<string, unknown> = { [VEGA_LITE_MIME]: spec };
  if (opts.svg !== false) bundle['image/svg+xml'] = await toSVG(spec);
  bundle['text/plain'] = typeof spec['title'] === 'string' ? `<vega-lite chart: ${spec['title']}>` : '<vega-lite chart>';
  return bundle;
}
