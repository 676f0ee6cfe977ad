// The eight benchmark models of shared/benchmark-models/MODELS.md, by name.
import type { Model } from 'mlx-nuts';
import type { ModelEntry } from './data.ts';
import * as eightSchools from './eight_schools.ts';
import * as eightSchoolsCentered from './eight_schools_centered.ts';
import * as funnel from './funnel.ts';
import * as logistic from './logistic.ts';
import * as medium from './medium.ts';
import * as simple from './simple.ts';
import * as stress from './stress.ts';
import * as sv from './sv.ts';

export const MODELS: Readonly<Record<string, { model: Model; meta: ModelEntry }>> = Object.fromEntries(
  [simple, medium, stress, eightSchools, eightSchoolsCentered, funnel, logistic, sv].map((m) => [m.meta.name, { model: m.default, meta: m.meta }]),
);
